/**
 * Life cycle: `pnpm start`'s scenario (the real handlers on the offline stack, the reference model), timed from
 * the image push to the first prediction, against the time the containers themselves spent in that span:
 * the training job, its evaluation job and the endpoint's start (model download, `serve` up, /ping answered).
 * Everything else is the pipeline's overhead: events, functions, polling, the stack.
 */
import {
  type LifecycleResult,
  type ProgressReporter,
  referenceData,
  referenceImageFolder,
  runLifecycle,
} from '@sagemaker-pipeline/scenario';

export { referenceData };

export interface LifecycleRun {
  ok: boolean;
  error?: string;
  /** The whole of `pnpm start`: stack start, deploy, and the scenario to the retrained model's gate decision. */
  wallMs: number;
  /** How long `serverless deploy --stage local` of every service through compose took, within wallMs. */
  deployMs: number;
  /** The scenario on the deployed functions: wallMs without the deploy. */
  scenarioMs: number;
  /** From the image push to the first predictions answered by the endpoint. */
  pushToPredictionMs: number;
  trainingMs: number;
  evaluationMs: number;
  serveStartMs: number;
  /** training + evaluation + serve start */
  containerMs: number;
}

/** Records when each step of the scenario starts and ends. */
function stepClock(): { reporter: ProgressReporter; starts: Map<string, number>; ends: Map<string, number> } {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const reporter: ProgressReporter = {
    step(title) {
      if (!starts.has(title)) starts.set(title, Date.now());
      const end = () => {
        if (!ends.has(title)) ends.set(title, Date.now());
      };
      return { update() {}, done: end, fail: end };
    },
  };
  return { reporter, starts, ends };
}

/**
 * Runs `pnpm start` once: the services deployed with `serverless deploy --stage local` through compose to an
 * empty stack, then the scenario. The stack is left running in `result.stack` for the caller to use and stop.
 */
export async function lifecycleOnce(dir: string): Promise<{ run: LifecycleRun; result: LifecycleResult }> {
  const clock = stepClock();
  const result = await runLifecycle({
    dir,
    port: 0,
    imageFolder: referenceImageFolder(),
    data: referenceData(),
    progress: clock.reporter,
    keepRunning: true,
    deployWithFramework: true,
  });
  const firstOf = (kind: string) =>
    result.report.items.filter((item) => item.kind === kind).sort((a, b) => a.start - b.start)[0];
  const training = firstOf('training');
  const evaluation = firstOf('processing');
  // serve start: from the endpoint's Creating to its InService, as the endpoint's state-change events say
  const endpointEvents = (result.stack?.bus.recorded ?? [])
    .map((recorded) => recorded.event)
    .filter((event) => event['detail-type'] === 'SageMaker Endpoint State Change');
  const changed = (status: string) =>
    Number(endpointEvents.find((event) => event.detail.EndpointStatus === status)?.detail.LastModifiedTime);
  const serveStartMs = changed('IN_SERVICE') - changed('CREATING');
  const trainingMs = training ? training.end - training.start : Number.NaN;
  const evaluationMs = evaluation ? evaluation.end - evaluation.start : Number.NaN;
  const pushed = clock.starts.get('push image') ?? Number.NaN;
  const stepMs = (title: string) =>
    (clock.ends.get(title) ?? Number.NaN) - (clock.starts.get(title) ?? Number.NaN);
  const predicted = clock.ends.get('predictions') ?? Number.NaN;
  const deployMs = stepMs('serverless deploy --stage local');
  return {
    result,
    run: {
      ok: result.ok,
      ...(result.error ? { error: result.error } : {}),
      wallMs: result.wallMs,
      deployMs,
      scenarioMs: result.wallMs - deployMs,
      pushToPredictionMs: predicted - pushed,
      trainingMs,
      evaluationMs,
      serveStartMs,
      containerMs: trainingMs + evaluationMs + serveStartMs,
    },
  };
}
