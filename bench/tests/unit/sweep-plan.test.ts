import { checkBudgets, sweepChecks } from '../../src/budgets.js';
import { callsTable, nothingMissing, runTimes, type SweepRun } from '../../src/sweep-plan.js';

const HOUR = 3_600_000;
const schedule = new Date('2026-11-16T03:00:00Z');
const newestStart = new Date(schedule.getTime() - 60_000);

const run = (overrides: Partial<SweepRun>): SweepRun => ({
  stage: 'evaluateModel',
  placement: 'history',
  size: 1,
  apiCalls: 2,
  outcome: 'swept',
  nothingMissing: true,
  ms: 1,
  ...overrides,
});

describe('Function: runTimes', () => {
  it('puts every run but the newest before the window with history, each after its predecessor', () => {
    // Act
    const times = runTimes('history', 100, schedule, newestStart, 24);

    // Assess
    const windowStart = schedule.getTime() - 24 * HOUR;
    expect(times).toHaveLength(100);
    expect(times.slice(0, -1).every((each) => each.packageCreated.getTime() < windowStart)).toBe(true);
    expect(times.at(-1)?.trainingCreated).toEqual(newestStart);
    for (const [index, current] of times.entries()) {
      const next = times[index + 1];
      expect(current.trainingEnded.getTime()).toBeLessThan(current.evaluationCreated.getTime());
      if (next) expect(current.trainingCreated.getTime()).toBeLessThan(next.trainingCreated.getTime());
    }
  });

  it('puts all the runs within the window for a burst, the newest last', () => {
    // Act
    const times = runTimes('window', 1_000, schedule, newestStart, 24);

    // Assess
    const windowStart = schedule.getTime() - 24 * HOUR;
    expect(times.every((each) => each.trainingCreated.getTime() > windowStart)).toBe(true);
    const newest = Math.max(...times.map((each) => each.trainingCreated.getTime()));
    expect(times.at(-1)?.trainingCreated.getTime()).toBe(newest);
  });

  it('gives one run, the newest, at size 1 whatever the placement', () => {
    // Act
    const history = runTimes('history', 1, schedule, newestStart, 24);
    const window = runTimes('window', 1, schedule, newestStart, 24);

    // Assess
    expect(history).toEqual(window);
    expect(history).toHaveLength(1);
  });

  it('refuses a newest run that would end after the schedule', () => {
    // Act & Assess
    expect(() => runTimes('history', 1, schedule, schedule, 24)).toThrow(/after the schedule/);
  });
});

describe('Function: nothingMissing', () => {
  it('holds for each stage only when its sweep did nothing', () => {
    // Assess
    expect(nothingMissing('evaluateModel', { missing: 0, started: [], alreadyStarted: [], failed: [] })).toBe(
      true,
    );
    expect(nothingMissing('evaluateModel', { missing: 1, started: ['e'], failed: [] })).toBe(false);
    expect(nothingMissing('registerModel', { missing: 0, registered: [], rejected: [], failed: [] })).toBe(
      true,
    );
    expect(nothingMissing('registerModel', { missing: 0, failed: [{ error: 'x' }] })).toBe(false);
    expect(nothingMissing('retrainModel', { outcome: 'covered' })).toBe(true);
    expect(nothingMissing('retrainModel', { outcome: 'started' })).toBe(false);
    expect(nothingMissing('deployModel', { status: 'already-serving' })).toBe(true);
    expect(nothingMissing('deployModel', { status: 'deploying' })).toBe(false);
  });
});

describe('Function: callsTable', () => {
  it('arranges the calls by stage, placement and size', () => {
    // Act
    const table = callsTable([
      run({ size: 1, apiCalls: 2 }),
      run({ size: 1_000, apiCalls: 2 }),
      run({ placement: 'window', size: 1_000, apiCalls: 20 }),
    ]);

    // Assess
    expect(table).toEqual({ evaluateModel: { history: { 1: 2, 1000: 2 }, window: { 1000: 20 } } });
  });
});

describe('Function: sweepChecks', () => {
  it('passes a stage whose history calls do not grow with N, and ignores the window placement', () => {
    // Prepare
    const runs = [1, 100, 1_000].flatMap((size) => [
      run({ size, apiCalls: 3 }),
      run({ placement: 'window', size, apiCalls: 3 + 2 * size }),
    ]);

    // Act
    const [stage, found] = sweepChecks(runs);

    // Assess
    expect(stage).toMatchObject({
      figure: 'sweep evaluateModel, history: API calls at 1000 runs',
      value: 3,
      budget: '≤ 3 (at 1)',
      pass: true,
    });
    expect(found).toMatchObject({ value: 6, budget: '6 of 6', pass: true });
  });

  it('misses a stage whose history calls grow with N, even in the middle size', () => {
    // Act
    const [grows] = sweepChecks(
      [1, 100, 1_000].map((size) => run({ size, apiCalls: Math.ceil(size / 100) + 1 })),
    );
    const [bump] = sweepChecks([run({ size: 1 }), run({ size: 100, apiCalls: 3 }), run({ size: 1_000 })]);

    // Assess
    expect(grows).toMatchObject({ value: 11, pass: false });
    expect(bump).toMatchObject({ value: 2, pass: false });
  });

  it('misses when a sweep found something missing', () => {
    // Act
    const checks = sweepChecks([
      run({}),
      run({ stage: 'deployModel', nothingMissing: false, outcome: 'deploying' }),
    ]);

    // Assess
    expect(checks.at(-1)).toMatchObject({ value: 1, budget: '2 of 2', pass: false });
  });

  it('adds no check when the section did not run', () => {
    // Assess
    expect(checkBudgets({})).toEqual([]);
  });
});
