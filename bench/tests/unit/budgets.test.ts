import { checkBudgets } from '../../src/budgets.js';
import type { FunctionBundles } from '../../src/bundles.js';
import type { BurstFigures } from '../../src/burst.js';
import type { ColdRun } from '../../src/cold-init.js';
import type { LifecycleRun } from '../../src/lifecycle.js';
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

const start = (deployMs: number, scenarioMs: number): LifecycleRun => ({
  ok: true,
  wallMs: deployMs + scenarioMs,
  deployMs,
  scenarioMs,
  pushToPredictionMs: 2_000,
  trainingMs: 800,
  evaluationMs: 300,
  serveStartMs: 400,
  containerMs: 1_500,
});

describe('Function: checkBudgets', () => {
  it("holds pnpm start's deploy and its scenario to budgets of their own, on the medians", () => {
    // Act: the whole run (32 s) is over 15 s, but neither part is over its budget
    const [served, deploy, scenario] = checkBudgets({
      lifecycle: [start(25_000, 7_000), start(24_000, 8_000), start(40_000, 20_000)],
    });
    const [, slowDeploy, slowScenario] = checkBudgets({
      lifecycle: [start(31_000, 7_000), start(30_000, 15_000)],
    });

    // Assess
    expect(served).toMatchObject({ value: 3, pass: true });
    expect(deploy).toMatchObject({ value: 25_000, pass: true });
    expect(scenario).toMatchObject({ value: 8_000, pass: true });
    expect(slowDeploy).toMatchObject({ value: 30_500, pass: false });
    expect(slowScenario).toMatchObject({ value: 11_000, pass: true });
  });

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

  it('takes the latency the stack adds round by round, so a slow round hits both paths alike', () => {
    // Prepare: the machine slows down in the second round, for direct and stack alike
    const load = latencies('1 row', 1, {
      direct: [
        [1.0, 2.0],
        [3.0, 9.0],
        [1.1, 2.2],
      ],
      stack: [
        [1.4, 3.0],
        [3.5, 16.0],
        [1.5, 3.5],
      ],
    });

    // Act
    const [p50, p99] = checkBudgets({ throughput: [load] });

    // Assess: p50 adds 0.4, 0.5, 0.4 ms (median 0.4); p99 adds 1.0, 7.0, 1.3 ms (median 1.3: the slow round's 7.0
    // alone would miss the budget)
    expect(p50).toMatchObject({
      figure: 'endpoint latency the stack adds, 1 row, concurrency 1, p50',
      budget: '≤ 1 ms',
      pass: true,
    });
    expect(p50?.value).toBeCloseTo(0.4, 9);
    expect(p99).toMatchObject({
      figure: 'endpoint latency the stack adds, 1 row, concurrency 1, p99',
      pass: true,
    });
    expect(p99?.value).toBeCloseTo(1.3, 9);
  });

  it('misses an added latency over its budget', () => {
    const load = latencies('30 rows', 16, { direct: [[1, 2]], stack: [[2.5, 9]] });

    expect(checkBudgets({ throughput: [load] }).map((check) => check.pass)).toEqual([false, false]);
  });

  it('misses a figure that could not be measured rather than passing it', () => {
    // Act
    const checks = checkBudgets({ bundles: [bundle(100, 0)], stackStart: [] });

    // Assess
    expect(checks.map((check) => check.pass)).toEqual([false, false, false, false]);
  });
});

/** An endpoint load case from each round's `[p50, p99]` latencies (ms) of the direct and the stack paths. */
function latencies(
  payload: string,
  concurrency: number,
  rounds: { direct: [number, number][]; stack: [number, number][] },
): ThroughputCase {
  const at = ([p50Ms, p99Ms]: [number, number]): LoadFigures => ({ rps: 1000 / p50Ms, p50Ms, p99Ms });
  return {
    payload,
    concurrency,
    requests: 10,
    runs: { direct: rounds.direct.map(at), stack: rounds.stack.map(at), undici: [], sdk: [], reference: [] },
  };
}
