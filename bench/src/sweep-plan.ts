/**
 * The sweeps' cost, the pure part: when each of N pipeline runs happened for a placement (history, or a burst
 * within the lookback window), whether a sweep's result says nothing was missing, and the figures as a table of
 * API calls per stage, placement and N.
 */

export const SWEEP_STAGES = ['evaluateModel', 'registerModel', 'retrainModel', 'deployModel'] as const;
export type SweepStage = (typeof SWEEP_STAGES)[number];

/** history: every run but the newest is older than the lookback window; window: all N finished within it. */
export const PLACEMENTS = ['history', 'window'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface SweepRun {
  stage: SweepStage;
  placement: Placement;
  /** Pipeline runs (training job, evaluation, decision, model package version) and training-data objects. */
  size: number;
  apiCalls: number;
  /** What the sweep answered (its outcome or status, and what it started, registered or deployed). */
  outcome: string;
  nothingMissing: boolean;
  ms: number;
}

/** When one pipeline run happened: its training job, then its evaluation, then its model package version. */
export interface RunTimes {
  trainingCreated: Date;
  trainingEnded: Date;
  evaluationCreated: Date;
  evaluationEnded: Date;
  packageCreated: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function runAt(start: number): RunTimes {
  return {
    trainingCreated: new Date(start),
    trainingEnded: new Date(start + 10_000),
    evaluationCreated: new Date(start + 20_000),
    evaluationEnded: new Date(start + 30_000),
    packageCreated: new Date(start + 40_000),
  };
}

/**
 * The times of `size` runs, oldest first, for a sweep scheduled at `schedule` that looks back `lookbackHours`.
 * The newest run starts at `newestStart` (after the training data was uploaded: retrain-model counts objects
 * written before the newest Completed job as covered) and must end before the schedule. history: the others
 * ended a day before the window opened, a minute apart; window: the others spread over the window, the oldest
 * an hour inside it (a burst of N trainings in the last day).
 */
export function runTimes(
  placement: Placement,
  size: number,
  schedule: Date,
  newestStart: Date,
  lookbackHours: number,
): RunTimes[] {
  const newest = runAt(newestStart.getTime());
  if (newest.packageCreated.getTime() > schedule.getTime()) {
    throw new Error(`the newest run ends at ${newest.packageCreated.toISOString()}, after the schedule`);
  }
  const windowStart = schedule.getTime() - lookbackHours * HOUR;
  const others = Array.from({ length: size - 1 }, (_, index) => {
    if (placement === 'history') return runAt(windowStart - 24 * HOUR - (size - 1 - index) * MINUTE);
    const first = windowStart + HOUR;
    const span = newestStart.getTime() - MINUTE - first;
    return runAt(first + (span * index) / Math.max(1, size - 1));
  });
  return [...others, newest];
}

/** The fields of the sweeps' results that say what they found and did. */
export interface SweepAnswer {
  status?: string;
  outcome?: string;
  /** evaluate-model, register-model: the Completed jobs in the window it checked. */
  checked?: number;
  /** retrain-model: the objects under the training-data prefix. */
  objects?: number;
  missing?: number;
  started?: string[];
  alreadyStarted?: string[];
  registered?: string[];
  rejected?: string[];
  alreadyRegistered?: string[];
  failed?: unknown[];
}

/** Whether a sweep's result says that nothing was missing: nothing started, registered, deployed or failed. */
export function nothingMissing(stage: SweepStage, answer: SweepAnswer): boolean {
  const none = (list: unknown[] | undefined) => (list ?? []).length === 0;
  switch (stage) {
    case 'evaluateModel':
      return (
        answer.missing === 0 && none(answer.started) && none(answer.alreadyStarted) && none(answer.failed)
      );
    case 'registerModel':
      return (
        answer.missing === 0 &&
        none(answer.registered) &&
        none(answer.rejected) &&
        none(answer.alreadyRegistered) &&
        none(answer.failed)
      );
    case 'retrainModel':
      return answer.outcome === 'covered';
    case 'deployModel':
      return answer.status === 'already-serving';
  }
}

/** API calls per stage, placement and size, as results.json and docs/benchmarks.md show them. */
export function callsTable(
  runs: readonly SweepRun[],
): Partial<Record<SweepStage, Partial<Record<Placement, Record<number, number>>>>> {
  const table: Partial<Record<SweepStage, Partial<Record<Placement, Record<number, number>>>>> = {};
  for (const run of runs) {
    const stage = table[run.stage] ?? {};
    const placement = stage[run.placement] ?? {};
    placement[run.size] = run.apiCalls;
    stage[run.placement] = placement;
    table[run.stage] = stage;
  }
  return table;
}
