/**
 * The budgets `pnpm bench` holds the pipeline to, checked on the figures of one run; its exit code says whether
 * they all hold. Never checked by a timed test.
 */

import type { FunctionBundles } from './bundles.js';
import type { BurstFigures } from './burst.js';
import type { ColdInitFigures } from './cold-init.js';
import type { LifecycleRun } from './lifecycle.js';
import type { StackStartRun } from './stack-start.js';
import { median, ratio, ratioOfMedians } from './stats.js';
import { SWEEP_STAGES, type SweepRun } from './sweep-plan.js';
import { addedLatencyMs, type ThroughputCase } from './throughput.js';

export const BUDGETS = {
  bundleRatio: 1.25,
  coldInitRatio: 1.3,
  /** What InvokeEndpoint through the stack adds to a call straight to the container, in ms. */
  addedLatencyP50Ms: 1,
  addedLatencyP99Ms: 5,
  stackReadyMs: 2_000,
  /** `pnpm start`'s scenario on the deployed functions, from the image push... to the gate decision. */
  lifecycleMs: 15_000,
  /**
   * `serverless deploy --stage local` of the six services through compose, before the scenario: twelve framework
   * processes (a deploy and compose's `info` per service), each about 2 s of CPU to load osls and its plugins.
   */
  deployMs: 30_000,
} as const;

export interface BudgetCheck {
  figure: string;
  value: number;
  budget: string;
  pass: boolean;
}

const atMost = (figure: string, value: number, limit: number, unit = ''): BudgetCheck => ({
  figure,
  value,
  budget: `≤ ${limit}${unit}`,
  pass: Number.isFinite(value) && value <= limit,
});
const below = (figure: string, value: number, limit: number, unit = ''): BudgetCheck => ({
  figure,
  value,
  budget: `< ${limit}${unit}`,
  pass: Number.isFinite(value) && value < limit,
});

export interface Figures {
  bundles?: FunctionBundles[];
  coldInit?: ColdInitFigures[];
  lifecycle?: LifecycleRun[];
  burst?: BurstFigures[];
  throughput?: ThroughputCase[];
  stackStart?: StackStartRun[];
  sweeps?: SweepRun[];
}

export function checkBudgets(figures: Figures): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  for (const bundle of figures.bundles ?? []) {
    checks.push(
      atMost(
        `bundle ${bundle.function} (unzipped)`,
        ratio(bundle.ours.bytes, bundle.baseline.bytes),
        BUDGETS.bundleRatio,
      ),
      atMost(
        `bundle ${bundle.function} (zip)`,
        ratio(bundle.ours.zipBytes, bundle.baseline.zipBytes),
        BUDGETS.bundleRatio,
      ),
    );
  }
  for (const cold of figures.coldInit ?? []) {
    checks.push(
      atMost(
        `cold init ${cold.function}`,
        ratioOfMedians(
          cold.ours.map((run) => run.wallMs),
          cold.baseline.map((run) => run.wallMs),
        ),
        BUDGETS.coldInitRatio,
      ),
    );
  }
  if (figures.lifecycle) {
    const runs = figures.lifecycle;
    checks.push({
      figure: 'life cycle: every run served predictions',
      value: runs.filter((run) => run.ok).length,
      budget: `${runs.length} of ${runs.length}`,
      pass: runs.length > 0 && runs.every((run) => run.ok),
    });
    checks.push(
      below(
        'life cycle: `pnpm start`, serverless deploy of every service (ms)',
        median(runs.map((run) => run.deployMs)),
        BUDGETS.deployMs,
        ' ms',
      ),
      below(
        'life cycle: `pnpm start`, the scenario on the deployed functions (ms)',
        median(runs.map((run) => run.scenarioMs)),
        BUDGETS.lifecycleMs,
        ' ms',
      ),
    );
  }
  for (const burst of figures.burst ?? []) {
    const allStarted = burst.deliveries.every((delivery) => delivery.status === 'started');
    checks.push({
      figure: `burst of ${burst.objects}: training jobs per batch window`,
      value: burst.windows ? burst.jobsStarted / burst.windows : Number.NaN,
      budget: 'exactly 1',
      pass: burst.windows > 0 && burst.jobsStarted === burst.windows && allStarted,
    });
  }
  for (const load of figures.throughput ?? []) {
    const what = `endpoint latency the stack adds, ${load.payload}, concurrency ${load.concurrency}`;
    checks.push(
      atMost(`${what}, p50`, addedLatencyMs(load, 'stack', 'p50Ms'), BUDGETS.addedLatencyP50Ms, ' ms'),
      atMost(`${what}, p99`, addedLatencyMs(load, 'stack', 'p99Ms'), BUDGETS.addedLatencyP99Ms, ' ms'),
    );
  }
  if (figures.stackStart) {
    const runs = figures.stackStart;
    checks.push(
      below(
        'stack ready: startStack().readyMs',
        median(runs.map((run) => run.inProcessReadyMs)),
        BUDGETS.stackReadyMs,
        ' ms',
      ),
      below(
        'stack ready: CLI, spawn to its ready line (ms)',
        median(runs.map((run) => run.cliWallMs)),
        BUDGETS.stackReadyMs,
        ' ms',
      ),
    );
  }
  checks.push(...sweepChecks(figures.sweeps ?? []));
  return checks;
}

/**
 * The sweeps' claim: with every run but the newest older than the lookback window, a sweep costs no more calls at
 * the largest size than at the smallest (server-side filters and time windows, not full listings); and every
 * sweep, at every size and placement, found nothing missing.
 */
export function sweepChecks(runs: readonly SweepRun[]): BudgetCheck[] {
  if (runs.length === 0) return [];
  const checks: BudgetCheck[] = [];
  for (const stage of SWEEP_STAGES) {
    const history = runs
      .filter((run) => run.stage === stage && run.placement === 'history')
      .sort((a, b) => a.size - b.size);
    const smallest = history[0];
    const largest = history.at(-1);
    if (!smallest || !largest) continue;
    checks.push({
      figure: `sweep ${stage}, history: API calls at ${largest.size} runs`,
      value: largest.apiCalls,
      budget: `≤ ${smallest.apiCalls} (at ${smallest.size})`,
      pass: history.every((run) => run.apiCalls <= smallest.apiCalls),
    });
  }
  const found = runs.filter((run) => run.nothingMissing).length;
  checks.push({
    figure: 'sweeps: every sweep found nothing missing',
    value: found,
    budget: `${runs.length} of ${runs.length}`,
    pass: found === runs.length,
  });
  return checks;
}
