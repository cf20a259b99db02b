/**
 * The whole life cycle on the offline stack, driven only by events: the scenario seeds data, pushes an image
 * and uploads new data like a user would, and otherwise only watches (through the AWS APIs of the stack) as
 * the stage functions train, evaluate, register, deploy and retrain. Used by `pnpm start` and by its
 * headless integration test.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  deployWithFramework,
  type Stack,
  type StackLogger,
  silentLogger,
  startStack,
} from '@sagemaker-pipeline/local';
import { pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import { watchEvaluation, watchRegistration, watchTraining } from './jobs.js';
import type { AlertRow, PredictionRow, RunReport, VersionRow } from './report.js';
import { countHits, predict, watchDeployment } from './serving.js';
import { alertsOf, timeline } from './timeline.js';
import { abortWhen, StepFailed, terminalFailure, waitFor } from './wait.js';

export { StepFailed, terminalFailure, waitFor } from './wait.js';

export interface LifecycleData {
  /** CSV with a header, the initial training data. */
  train: string;
  /** CSV with a header, the held-out evaluation data. */
  evaluation: string;
  /** CSV files with a header, uploaded at once as new data. */
  newData: string[];
  /** Rows never seen in training or evaluation, to ask the endpoint about. */
  holdout: { header: string[]; rows: string[][]; labels: string[] };
}

export interface LifecycleOptions {
  dir: string;
  port?: number;
  imageFolder: string;
  data: LifecycleData;
  /** Stage whose serverless.yml settings the stack runs (names are derived from it). Default `local`. */
  stage?: string;
  /** Called when a step starts, with a function to report it done or failed. */
  progress?: ProgressReporter;
  /** Give up waiting for one step after this long. Default 120 s. */
  stepTimeoutMs?: number;
  /** Leave the stack running (the caller stops it). */
  keepRunning?: boolean;
  services?: string[];
  /** Where the stack's own lines go (default: nowhere). */
  logger?: StackLogger;
  /**
   * Deploy the services with the framework (`serverless deploy --stage local` through compose) to an empty stack,
   * instead of the stack provisioning them from their serverless.yml. Only for stage `local`.
   */
  deployWithFramework?: boolean;
  /** With `deployWithFramework`: run compose at the workspace's root itself, not on copies of the services. */
  deployInPlace?: boolean;
}

export interface ProgressReporter {
  step(title: string): StepHandle;
}
export interface StepHandle {
  update(detail: string): void;
  done(detail: string): void;
  fail(detail: string): void;
}

export interface LifecycleResult {
  ok: boolean;
  error?: string;
  stack?: Stack;
  endpointName: string;
  endpointUrl: string;
  report: RunReport;
  predictions: PredictionRow[];
  holdoutAccuracy: number;
  versions: VersionRow[];
  /** What the pipeline published on its alert topic. */
  alerts: AlertRow[];
  liveVersion?: number | string;
  trainingJobs: string[];
  wallMs: number;
}

const silent: ProgressReporter = { step: () => ({ update() {}, done() {}, fail() {} }) };

export async function runLifecycle(options: LifecycleOptions): Promise<LifecycleResult> {
  const started = Date.now();
  const progress = options.progress ?? silent;
  const stage = options.stage ?? 'local';
  const names = pipelineNames({ stage });
  const timeout = options.stepTimeoutMs ?? 120_000;
  const { data } = options;

  let stack: Stack | undefined;
  let sagemaker: SageMakerClient | undefined;
  const versions: VersionRow[] = [];
  const predictions: PredictionRow[] = [];
  const trainingJobs: string[] = [];
  let liveVersion: number | string | undefined;
  let error: string | undefined;
  let current: StepHandle | undefined;
  const step = (title: string) => {
    current = progress.step(title);
    return current;
  };

  try {
    let handle = step('offline stack');
    const seed = [
      { bucket: names.bucket, key: `${names.prefixes.trainingData}/initial.csv`, body: data.train },
      { bucket: names.bucket, key: `${names.prefixes.evaluationData}/evaluation.csv`, body: data.evaluation },
    ];
    const framework = options.deployWithFramework === true;
    stack = await startStack({
      port: options.port ?? 0,
      dir: options.dir,
      stage,
      ...(framework ? { services: [] } : options.services ? { services: options.services } : {}),
      logger: options.logger ?? silentLogger,
      ...(framework ? {} : { seed }),
    });
    const running = stack;
    const clientConfig = stack.clientConfig;
    sagemaker = new SageMakerClient(clientConfig);
    const runtime = new SageMakerRuntimeClient(clientConfig);
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    if (framework) {
      handle.done(`ready in ${stack.readyMs} ms at ${stack.endpoint}, nothing deployed`);
      handle = step('serverless deploy --stage local');
      const deploying = handle;
      const deployed = await deployWithFramework({
        endpoint: stack.endpoint,
        stage,
        inPlace: options.deployInPlace === true,
        onDeployed: (done, total) => deploying.update(`${done.length}/${total} deployed (${done.at(-1)})`),
      });
      handle.done(
        `${stack.cloudFormation.stacks.length} stacks through serverless-compose.yml in ${(deployed.ms / 1000).toFixed(1)} s`,
      );
      handle = step('data');
      for (const object of seed) {
        await s3.send(
          new PutObjectCommand({
            Bucket: object.bucket,
            Key: object.key,
            Body: object.body,
            ContentType: 'text/csv',
          }),
        );
      }
      handle.done(`bucket ${names.bucket}: training and held-out data uploaded`);
    } else handle.done(`ready in ${stack.readyMs} ms at ${stack.endpoint}; bucket ${names.bucket} seeded`);
    abortWhen(() => terminalFailure(running));

    handle = step('push image');
    const image = await stack.images.push(options.imageFolder, names.repository, 'v1');
    handle.done(
      `${image.imageUri.replace(/@sha256:(.{12}).*/, '@sha256:$1…')} (ECR Image Action on the bus)`,
    );

    const firstTraining = await watchTraining(
      sagemaker,
      names.pipeline,
      new Set(),
      step('training'),
      timeout,
    );
    trainingJobs.push(firstTraining);
    await watchEvaluation(sagemaker, names.pipeline, firstTraining, step('evaluation'), timeout);
    const v1 = await watchRegistration(sagemaker, s3, names, firstTraining, step('registration'), timeout);
    versions.push(v1);
    if (v1.approval === 'Rejected (gate)')
      throw new StepFailed(`the first model did not pass the gate: ${v1.decision}`);
    liveVersion = await watchDeployment(sagemaker, names.endpoint, v1, step('deployment'), timeout);

    handle = step('predictions');
    const served = await predict(runtime, names.endpoint, data.holdout);
    predictions.push(...served);
    handle.done(`${served.length} rows, ${countHits(served)} correct`);

    handle = step('new data');
    await Promise.all(
      data.newData.map((body, index) =>
        s3.send(
          new PutObjectCommand({
            Bucket: names.bucket,
            Key: `${names.prefixes.trainingData}/batch-${String(index + 1).padStart(2, '0')}.csv`,
            Body: body,
            ContentType: 'text/csv',
          }),
        ),
      ),
    );
    handle.done(`${data.newData.length} files uploaded at once under ${names.prefixes.trainingData}/`);

    const retraining = await watchTraining(
      sagemaker,
      names.pipeline,
      new Set(trainingJobs),
      step('retraining'),
      timeout,
    );
    trainingJobs.push(retraining);
    await watchEvaluation(
      sagemaker,
      names.pipeline,
      retraining,
      step('evaluation against the champion'),
      timeout,
    );
    const v2 = await watchRegistration(sagemaker, s3, names, retraining, step('gate decision'), timeout);
    versions.push(v2);
    if (v2.approval === 'Rejected (gate)') {
      // register-model tells a human about a rejection, on the pipeline's alert topic
      handle = step('alert');
      const alert = await waitFor(
        `the alert about ${retraining}'s rejection`,
        async () => alertsOf(running, names).find((candidate) => /rejected/i.test(candidate.subject)),
        timeout,
      );
      handle.done(alert.subject);
    }
    if (v2.approval === 'Approved') {
      liveVersion = await watchDeployment(sagemaker, names.endpoint, v2, step('rollout'), timeout);
      handle = step('predictions');
      const again = await predict(runtime, names.endpoint, data.holdout);
      predictions.splice(0, predictions.length, ...again);
      handle.done(`${again.length} rows, ${countHits(again)} correct, from version ${v2.version}`);
    }
    for (const version of versions) version.live = version.version === liveVersion;
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    current?.fail(error);
  }

  abortWhen(() => undefined);
  const finished = Date.now();
  const alerts = stack ? alertsOf(stack, names) : [];
  const report: RunReport = {
    title: 'SageMaker pipeline, offline run',
    startedAt: started,
    finishedAt: finished,
    items:
      stack && sagemaker ? await timeline(stack, sagemaker, names.pipeline, finished).catch(() => []) : [],
    versions,
    predictions,
    alerts,
    notes: error ? [`The run stopped: ${error}`] : [],
  };
  if (stack && !options.keepRunning) await stack.stop();
  return {
    ok: !error && predictions.length > 0,
    ...(error ? { error } : {}),
    ...(stack && options.keepRunning ? { stack } : {}),
    endpointName: names.endpoint,
    endpointUrl: stack ? `${stack.endpoint}/endpoints/${names.endpoint}/invocations` : '',
    report,
    predictions,
    holdoutAccuracy: predictions.length ? countHits(predictions) / predictions.length : 0,
    versions,
    alerts,
    ...(liveVersion !== undefined ? { liveVersion } : {}),
    trainingJobs,
    wallMs: finished - started,
  };
}
