import { checkBudgets } from '../../src/budgets.js';
import type { FunctionBundles } from '../../src/bundles.js';
import type { BurstFigures } from '../../src/burst.js';
import type { ColdRun } from '../../src/cold-init.js';
import type { LoadFigures, ThroughputCase } from '../../src/throughput.js';

const bundle = (ours: number, baseline: number): FunctionBundles => ({
  function: 'fn',
  service: 'svc',
  ours: { bytes: ours, zipBytes: ours / 4, file: 'a', composition: [] },
  baseline: { bytes: baseline, zipBytes: baseline / 4, file: 'b', composition: [] },
});
const cold = (wallMs: number): ColdRun => ({ wallMs, bootMs: 0, loadMs: 0, invokeMs: 0, outcome: 'ok' });
const burst = (jobsStarted: number, statuses: string[]): BurstFigures => ({
  objects: 100,
  naiveJobs: 100,
  jobsStarted,
  windows: statuses.length,
  deliveries: statuses.map((status) => ({ status, objects: 100 / statuses.length })),
  uploadMs: 1,
  toJobMs: 1,
});

describe('Function: checkBudgets', () => {
  it('passes a bundle at exactly 1.25 times its baseline and misses one above', () => {
    // Act
    const [atLimit] = checkBudgets({ bundles: [bundle(125, 100)] });
    const [over] = checkBudgets({ bundles: [bundle(126, 100)] });

    // Assess
    expect(atLimit).toMatchObject({ figure: 'bundle fn (unzipped)', value: 1.25, pass: true });
    expect(over).toMatchObject({ value: 1.26, pass: false });
  });

  it('takes the cold-init ratio of the medians, not of the means', () => {
    // Prepare: one slow outlier among ours
    const figures = {
      coldInit: [
        { function: 'fn', call: 'x', ours: [100, 110, 1000].map(cold), baseline: [90, 100, 95].map(cold) },
      ],
    };

    // Act
    const [check] = checkBudgets(figures);

    // Assess: 110 / 95
    expect(check?.value).toBeCloseTo(110 / 95, 10);
    expect(check?.pass).toBe(true);
  });

  it('wants exactly one training job per batch window, every window started', () => {
    // Act
    const [one] = checkBudgets({ burst: [burst(1, ['started'])] });
    const [two] = checkBudgets({ burst: [burst(2, ['started'])] });
    const [deferred] = checkBudgets({ burst: [burst(1, ['started', 'deferred'])] });

    // Assess
    expect(one?.pass).toBe(true);
    expect(two?.pass).toBe(false);
    expect(deferred?.pass).toBe(false);
  });

  it('takes the throughput ratio round by round, so a slow round hits both paths alike', () => {
    // Prepare: the machine slows down in the second round, for direct and stack alike
    const at = (rps: number): LoadFigures => ({ rps, p50Ms: 1, p99Ms: 1 });
    const load: ThroughputCase = {
      payload: '1 row',
      concurrency: 1,
      requests: 10,
      runs: {
        direct: [1000, 500, 1000].map(at),
        stack: [750, 380, 700].map(at),
        sdk: [],
        reference: [],
      },
    };

    // Act
    const [check] = checkBudgets({ throughput: [load] });

    // Assess: per round 0.75, 0.76, 0.70: median 0.75 (medians of each path would give 700 / 1000 = 0.70)
    expect(check).toMatchObject({ value: 0.75, pass: true });
  });

  it('misses a figure that could not be measured rather than passing it', () => {
    // Act
    const checks = checkBudgets({ bundles: [bundle(100, 0)], stackStart: [] });

    // Assess
    expect(checks.map((check) => check.pass)).toEqual([false, false, false, false]);
  });
});
