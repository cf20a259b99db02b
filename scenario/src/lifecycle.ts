/**
 * The whole life cycle on the offline stack, driven only by events: the scenario seeds data, pushes an image
 * and uploads new data like a user would, and otherwise only watches (through the AWS APIs of the stack) as
 * the stage functions train, evaluate, register, deploy and retrain. Used by `pnpm start` and by its
 * headless integration test.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type Stack, type StackLogger, silentLogger, startStack } from '@sagemaker-pipeline/local';
import type { AlertRow, PredictionRow, RunReport, TimelineItem, VersionRow } from './report.js';

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
  /** Where the functions' bundles are kept across runs (default: under `dir`, rebuilt every run). */
  bundleDir?: string;
  /** Where the stack's own lines go (default: nowhere). */
  logger?: StackLogger;
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

export class StepFailed extends Error {}

/** Names the stack derives from pipeline.yml for a stage. */
export function pipelineNames(stage: string, account = '000000000000', region = 'us-east-1') {
  const pipeline = `mlpipe-${stage}`;
  return {
    pipeline,
    bucket: `${pipeline}-${account}-${region}`,
    repository: pipeline,
    group: pipeline,
    endpoint: pipeline,
    trainingPrefix: 'training-data',
    evaluationPrefix: 'evaluation-data',
    resultsPrefix: 'evaluations',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reports why the run cannot go on (a function that failed for good), or undefined. */
let abortCheck: () => string | undefined = () => undefined;

/**
 * Polls `probe` until it returns a value. Throws StepFailed after `timeoutMs`, or as soon as a stage
 * function has failed for good, with its error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const abort = abortCheck();
    if (abort) throw new StepFailed(abort);
    if (Date.now() > deadline)
      throw new StepFailed(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(150);
  }
}

/** The first invocation that failed for good: a terminal result, or an error on its last attempt. */
export function terminalFailure(stack: Stack): string | undefined {
  for (const invocation of stack.functions.invocations) {
    const result = invocation.result as { status?: string; error?: string } | undefined;
    if (invocation.status === 'success' && (result?.status === 'failed' || result?.status === 'invalid')) {
      return `${invocation.function} failed: ${result.error ?? result.status}`;
    }
    if (invocation.status === 'error' && invocation.trigger === 'eventbridge' && invocation.attempt >= 3) {
      return `${invocation.function} failed after ${invocation.attempt} attempts: ${invocation.error?.errorMessage ?? ''}`;
    }
  }
  return undefined;
}

export async function runLifecycle(options: LifecycleOptions): Promise<LifecycleResult> {
  const started = Date.now();
  const progress = options.progress ?? silent;
  const stage = options.stage ?? 'local';
  const names = pipelineNames(stage);
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
    stack = await startStack({
      port: options.port ?? 0,
      dir: options.dir,
      stage,
      ...(options.services ? { services: options.services } : {}),
      ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
      logger: options.logger ?? silentLogger,
      seed: [
        { bucket: names.bucket, key: `${names.trainingPrefix}/initial.csv`, body: data.train },
        { bucket: names.bucket, key: `${names.evaluationPrefix}/evaluation.csv`, body: data.evaluation },
      ],
    });
    handle.done(`ready in ${stack.readyMs} ms at ${stack.endpoint}; bucket ${names.bucket} seeded`);
    const running = stack;
    abortCheck = () => terminalFailure(running);

    const clientConfig = {
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    sagemaker = new SageMakerClient(clientConfig);
    const runtime = new SageMakerRuntimeClient(clientConfig);
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });

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
            Key: `${names.trainingPrefix}/batch-${String(index + 1).padStart(2, '0')}.csv`,
            Body: body,
            ContentType: 'text/csv',
          }),
        ),
      ),
    );
    handle.done(`${data.newData.length} files uploaded at once under ${names.trainingPrefix}/`);

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

  abortCheck = () => undefined;
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

/** The messages published on the pipeline's alert topic (`<pipeline>-alerts`, infra's). */
function alertsOf(stack: Stack, names: ReturnType<typeof pipelineNames>): AlertRow[] {
  const topic = `arn:aws:sns:${stack.region}:${stack.account}:${names.pipeline}-alerts`;
  return stack.sns.published
    .filter((published) => published.topicArn === topic)
    .map((published) => ({
      time: published.time,
      subject: published.subject ?? '',
      message: published.message,
    }));
}

const countHits = (rows: PredictionRow[]) => rows.filter((row) => row.expected === row.predicted).length;

/** Waits for a new training job of the pipeline (not in `known`) and for its end. */
async function watchTraining(
  sagemaker: SageMakerClient,
  pipeline: string,
  known: Set<string>,
  handle: StepHandle,
  timeout: number,
): Promise<string> {
  const name = await waitFor(
    'a training job',
    async () => {
      const { TrainingJobSummaries = [] } = await sagemaker.send(
        new ListTrainingJobsCommand({
          NameContains: `${pipeline}-`,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      return TrainingJobSummaries.map((job) => job.TrainingJobName ?? '').find(
        (job) => job && !known.has(job),
      );
    },
    timeout,
  );
  handle.update(`${name} started`);
  const job = await waitFor(
    `training job ${name}`,
    async () => {
      const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return described.TrainingJobStatus === 'InProgress' || described.TrainingJobStatus === 'Stopping'
        ? undefined
        : described;
    },
    timeout,
  );
  if (job.TrainingJobStatus !== 'Completed') {
    throw new StepFailed(`${name} ${job.TrainingJobStatus}: ${job.FailureReason ?? 'no reason given'}`);
  }
  handle.done(`${name} Completed`);
  return name;
}

async function watchEvaluation(
  sagemaker: SageMakerClient,
  pipeline: string,
  trainingJob: string,
  handle: StepHandle,
  timeout: number,
): Promise<string> {
  const name = await waitFor(
    `the evaluation of ${trainingJob}`,
    async () => {
      const { ProcessingJobSummaries = [] } = await sagemaker.send(
        new ListProcessingJobsCommand({
          NameContains: `${pipeline}-eval-`,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      for (const summary of ProcessingJobSummaries) {
        const job = await sagemaker.send(
          new DescribeProcessingJobCommand({ ProcessingJobName: summary.ProcessingJobName }),
        );
        if (
          job.Environment?.TRAINING_JOB_NAME === trainingJob ||
          JSON.stringify(job.ProcessingInputs).includes(`/${trainingJob}/`)
        )
          return summary.ProcessingJobName;
      }
      return undefined;
    },
    timeout,
  );
  handle.update(`${name} started`);
  const job = await waitFor(
    `evaluation job ${name}`,
    async () => {
      const described = await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
      return described.ProcessingJobStatus === 'InProgress' || described.ProcessingJobStatus === 'Stopping'
        ? undefined
        : described;
    },
    timeout,
  );
  if (job.ProcessingJobStatus !== 'Completed') {
    throw new StepFailed(
      `${name} ${job.ProcessingJobStatus}: ${job.FailureReason ?? job.ExitMessage ?? 'no reason given'}`,
    );
  }
  handle.done(`${name} Completed, evaluation.json written`);
  return name;
}

/** Waits for the registration decision on a training job's model: a package version, or a decision.json. */
async function watchRegistration(
  sagemaker: SageMakerClient,
  s3: S3Client,
  names: ReturnType<typeof pipelineNames>,
  trainingJob: string,
  handle: StepHandle,
  timeout: number,
): Promise<VersionRow> {
  const row = await waitFor(
    `the registry decision on ${trainingJob}`,
    async (): Promise<Omit<VersionRow, 'metrics'> | undefined> => {
      const { ModelPackageSummaryList = [] } = await sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: names.group,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      for (const summary of ModelPackageSummaryList) {
        const described = await sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }),
        );
        const metadata = described.CustomerMetadataProperties ?? {};
        if (metadata['training-job'] !== trainingJob) continue;
        const champion = metadata['champion-version'] ?? 'none';
        return {
          version: described.ModelPackageVersion ?? '?',
          trainingJob,
          approval: described.ModelApprovalStatus ?? 'Unknown',
          decision: `${metadata.gate ?? 'passed'}: ${metadata['metric-value'] ?? '?'} vs threshold ${metadata['metric-threshold'] ?? '?'}, champion ${champion === 'none' ? 'none' : `v${champion} (${metadata['champion-value'] ?? '?'})`}`,
          live: false,
        };
      }
      const decision = await readJson<{ status?: string; reasons?: unknown }>(
        s3,
        names.bucket,
        `${names.resultsPrefix}/${trainingJob}/decision.json`,
      );
      if (decision?.status === 'rejected') {
        const reasons = Array.isArray(decision.reasons)
          ? decision.reasons.map(String)
          : [JSON.stringify(decision)];
        return {
          version: '—',
          trainingJob,
          approval: 'Rejected (gate)',
          decision: reasons.join('; '),
          live: false,
        };
      }
      return undefined;
    },
    timeout,
  );
  const metrics = await evaluationMetrics(s3, names, trainingJob);
  if (row.approval === 'Rejected (gate)') handle.done(`not registered: ${row.decision}`);
  else handle.done(`version ${row.version} ${row.approval} (${describeMetrics(metrics)})`);
  return { ...row, metrics };
}

/** Accuracy and weighted F1 from the model-quality evaluation.json of a training job's model. */
async function evaluationMetrics(
  s3: S3Client,
  names: ReturnType<typeof pipelineNames>,
  trainingJob: string,
): Promise<Record<string, number>> {
  const evaluation = await readJson<Record<string, Record<string, { value?: unknown }>>>(
    s3,
    names.bucket,
    `${names.resultsPrefix}/${trainingJob}/evaluation.json`,
  );
  const metrics: Record<string, number> = {};
  for (const group of Object.values(evaluation ?? {})) {
    for (const name of ['accuracy', 'weighted_f1']) {
      const value = group?.[name]?.value;
      if (typeof value === 'number') metrics[name] = value;
    }
  }
  return metrics;
}

const describeMetrics = (metrics: Record<string, number>) =>
  Object.entries(metrics)
    .map(([key, value]) => `${key} ${value.toFixed(3)}`)
    .join(', ') || 'no metrics';

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
  } catch (error) {
    // Missing, or caught while the stage is still writing it (the local S3 writes objects in place): not yet.
    if ((error as { name?: string }).name === 'NoSuchKey' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function watchDeployment(
  sagemaker: SageMakerClient,
  endpoint: string,
  version: VersionRow,
  handle: StepHandle,
  timeout: number,
): Promise<number | string> {
  const described = await waitFor(
    `endpoint ${endpoint} serving version ${version.version}`,
    async () => {
      try {
        const current = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
        if (current.EndpointStatus === 'Failed') {
          throw new StepFailed(`endpoint ${endpoint} Failed: ${current.FailureReason ?? 'no reason given'}`);
        }
        handle.update(`${endpoint} ${current.EndpointStatus}`);
        const serving =
          current.EndpointStatus === 'InService' &&
          current.EndpointConfigName?.includes(`v${version.version}`);
        return serving ||
          (current.EndpointStatus === 'InService' &&
            (await configServes(sagemaker, current.EndpointConfigName, version)))
          ? current
          : undefined;
      } catch (caught) {
        if (caught instanceof StepFailed) throw caught;
        return undefined;
      }
    },
    timeout,
  );
  handle.done(`${endpoint} InService on ${described.EndpointConfigName}`);
  return version.version;
}

/** True when the endpoint config's model was made from the version (its tags or name say so). */
async function configServes(
  sagemaker: SageMakerClient,
  configName: string | undefined,
  version: VersionRow,
): Promise<boolean> {
  if (!configName) return false;
  const { ListTagsCommand, DescribeEndpointConfigCommand } = await import('@aws-sdk/client-sagemaker');
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
  if (!config.EndpointConfigArn) return false;
  const { Tags = [] } = await sagemaker.send(new ListTagsCommand({ ResourceArn: config.EndpointConfigArn }));
  return Tags.some((tag) => /version/i.test(tag.Key ?? '') && tag.Value === String(version.version));
}

async function predict(
  runtime: SageMakerRuntimeClient,
  endpoint: string,
  holdout: LifecycleData['holdout'],
): Promise<PredictionRow[]> {
  const body = holdout.rows.map((row) => row.join(',')).join('\n');
  const response = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      ContentType: 'text/csv',
      Accept: 'application/json',
      Body: body,
    }),
  );
  const answer = JSON.parse(new TextDecoder().decode(response.Body)) as {
    predictions?: { label?: unknown }[];
  };
  const labels = (answer.predictions ?? []).map((p) => String(p.label ?? ''));
  if (labels.length !== holdout.rows.length) {
    throw new StepFailed(
      `the endpoint answered ${labels.length} predictions for ${holdout.rows.length} rows`,
    );
  }
  return holdout.rows.map((row, index) => ({
    features: row.join(', '),
    expected: holdout.labels[index] ?? '',
    predicted: labels[index] ?? '',
  }));
}

/** Every invocation, job and endpoint change of the run, for the report's chart. */
async function timeline(
  stack: Stack,
  sagemaker: SageMakerClient,
  pipeline: string,
  now: number,
): Promise<TimelineItem[]> {
  const items: TimelineItem[] = stack.functions.invocations.map((invocation) => {
    const start = Date.parse(invocation.start);
    const result = invocation.result as { status?: string } | undefined;
    return {
      lane: invocation.function,
      label: `${invocation.function} (${invocation.trigger}${invocation.attempt > 1 ? `, attempt ${invocation.attempt}` : ''})`,
      kind: 'invocation',
      start,
      end: start + invocation.durationMs,
      status:
        invocation.status === 'error'
          ? `error: ${invocation.error?.errorMessage ?? ''}`
          : (result?.status ?? 'ok'),
    };
  });
  const time = (value: Date | undefined, fallback: number) => (value ? value.getTime() : fallback);
  const { TrainingJobSummaries = [] } = await sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: `${pipeline}-`, MaxResults: 100 }),
  );
  for (const summary of TrainingJobSummaries) {
    const job = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: summary.TrainingJobName }),
    );
    const start = time(job.TrainingStartTime ?? job.CreationTime, now);
    items.push({
      lane: 'training jobs',
      label: job.TrainingJobName ?? '',
      kind: 'training',
      start,
      end: time(job.TrainingEndTime, now),
      status: job.TrainingJobStatus ?? 'unknown',
    });
  }
  const { ProcessingJobSummaries = [] } = await sagemaker.send(
    new ListProcessingJobsCommand({ NameContains: `${pipeline}-`, MaxResults: 100 }),
  );
  for (const summary of ProcessingJobSummaries) {
    const job = await sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: summary.ProcessingJobName }),
    );
    items.push({
      lane: 'evaluation jobs',
      label: job.ProcessingJobName ?? '',
      kind: 'processing',
      start: time(job.ProcessingStartTime ?? job.CreationTime, now),
      end: time(job.ProcessingEndTime, now),
      status: job.ProcessingJobStatus ?? 'unknown',
    });
  }
  // Endpoint changes: from each state-change event to the next one of the same endpoint.
  const changes = stack.bus.recorded
    .map((recorded) => recorded.event)
    .filter((event) => event['detail-type'] === 'SageMaker Endpoint State Change');
  changes.forEach((event, index) => {
    const next = changes
      .slice(index + 1)
      .find((later) => later.detail.EndpointName === event.detail.EndpointName);
    const start = Date.parse(event.time);
    items.push({
      lane: `endpoint ${String(event.detail.EndpointName ?? '')}`,
      label: `${String(event.detail.EndpointStatus ?? '')} ${String(event.detail.EndpointConfigName ?? '')}`,
      kind: 'endpoint',
      start,
      end: next ? Date.parse(next.time) : now,
      status: String(event.detail.EndpointStatus ?? ''),
    });
  });
  return items.filter((item) => Number.isFinite(item.start) && Number.isFinite(item.end));
}
