import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeProcessingJobCommand,
  type DescribeProcessingJobCommandOutput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  type ModelPackageSummary,
  type ProcessingJobSummary,
  SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type Stack, type StackOptions, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { eventually } from '@sagemaker-pipeline/testing/wait';

export { eventually };

export const PIPELINE = 'mlpipe-local';
export const BUCKET = `${PIPELINE}-000000000000-us-east-1`;
export const ENDPOINT = PIPELINE;
export const GROUP = PIPELINE;

const images = fileURLToPath(new URL('../fixtures/images/', import.meta.url));
/** Test images of the SageMaker contract, each with its fault (see fixtures/images/fault-model/main.mjs). */
export const IMAGES = {
  good: path.join(images, 'good'),
  crashTrain: path.join(images, 'crash-train'),
  crashEvaluate: path.join(images, 'crash-evaluate'),
  failPing: path.join(images, 'fail-ping'),
} as const;

export type StageName = 'infra' | 'trigger-training' | 'evaluate-model' | 'register-model' | 'deploy-model';
const serviceDir = (name: StageName) => fileURLToPath(new URL(`../../../packages/${name}`, import.meta.url));

type Invocation = Stack['functions']['invocations'][number];

export interface Pipeline {
  stack: Stack;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  stop(): Promise<void>;
}

/** A stack running `services` with the seeded data of the pipeline; its clients retry throttling patiently. */
export async function startPipeline(
  services: StageName[],
  options: Partial<StackOptions> = {},
): Promise<Pipeline> {
  const dir = await mkdtemp(path.join(tmpdir(), 'faults-'));
  const stack = await startStack({
    port: 0,
    dir,
    services: services.map(serviceDir),
    logger: silentLogger,
    endpointStartTimeoutMs: 10_000,
    seed: [
      { bucket: BUCKET, key: 'training-data/initial.csv', body: 'label,x\na,1\nb,2\n' },
      { bucket: BUCKET, key: 'evaluation-data/evaluation.csv', body: 'label,x\na,1\n' },
    ],
    ...options,
  });
  const patient = { maxAttempts: 10 };
  return {
    stack,
    sagemaker: stack.client(SageMakerClient, patient),
    runtime: stack.client(SageMakerRuntimeClient, patient),
    s3: stack.client(S3Client, { ...patient, forcePathStyle: true }),
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pushes a test image, which emits ECR's push event; returns the event's id. */
export async function push(p: Pipeline, folder: string, tag: string): Promise<string> {
  const image = await p.stack.images.push(folder, PIPELINE, tag);
  const event = p.stack.bus.recorded
    .map((recorded) => recorded.event)
    .findLast(
      (candidate) =>
        candidate['detail-type'] === 'ECR Image Action' &&
        candidate.detail['image-digest'] === image.digest &&
        candidate.detail['image-tag'] === tag,
    );
  if (!event) throw new Error(`no ECR Image Action for ${folder}:${tag}`);
  return event.id;
}

export const invocationsOf = (p: Pipeline, fn: string): Invocation[] =>
  p.stack.functions.invocations.filter((invocation) => invocation.function === fn);

/** Every invocation of `fn` for one event, once one of them succeeded or Lambda gave up (3 attempts). */
export function settledInvocations(p: Pipeline, fn: string, eventId: string, timeoutMs = 30_000) {
  return eventually(
    `${fn} to finish with event ${eventId}`,
    () => {
      const calls = invocationsOf(p, fn).filter((invocation) => invocation.eventId === eventId);
      const last = calls.at(-1);
      return last && (last.status === 'success' || last.attempt >= 3) ? calls : undefined;
    },
    timeoutMs,
  );
}

/** The id of the newest bus event of `detailType` whose detail matches `match`. */
/** The id of the last event of `detailType` whose detail `match`es, once the stack has emitted one. */
export function emittedEvent(
  p: Pipeline,
  detailType: string,
  match: (detail: Record<string, unknown>) => boolean,
  timeoutMs?: number,
): Promise<string> {
  const last = () =>
    p.stack.bus.recorded
      .map((recorded) => recorded.event)
      .findLast((event) => event['detail-type'] === detailType && match(event.detail))?.id;
  return eventually(`a ${detailType} event like that`, last, timeoutMs);
}

export const resultOf = (invocation: Invocation | undefined) =>
  (invocation?.result ?? {}) as Record<string, unknown> & { status?: string; error?: string };

export async function trainingJobs(p: Pipeline): Promise<TrainingJobSummary[]> {
  const { TrainingJobSummaries = [] } = await p.sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: `${PIPELINE}-`, MaxResults: 100 }),
  );
  return TrainingJobSummaries;
}

export async function processingJobs(p: Pipeline): Promise<ProcessingJobSummary[]> {
  const { ProcessingJobSummaries = [] } = await p.sagemaker.send(
    new ListProcessingJobsCommand({ NameContains: `${PIPELINE}-`, MaxResults: 100 }),
  );
  return ProcessingJobSummaries;
}

export async function modelPackages(p: Pipeline): Promise<ModelPackageSummary[]> {
  const { ModelPackageSummaryList = [] } = await p.sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: GROUP,
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
    }),
  );
  return ModelPackageSummaryList;
}

/** A training job once it has ended. */
export function endedTrainingJob(p: Pipeline, name: string): Promise<DescribeTrainingJobCommandOutput> {
  return eventually(`training job ${name} to end`, async () => {
    const job = await p.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return ['InProgress', 'Stopping'].includes(job.TrainingJobStatus ?? '') ? undefined : job;
  });
}

/** A processing job once it has ended. */
export function endedProcessingJob(p: Pipeline, name: string): Promise<DescribeProcessingJobCommandOutput> {
  return eventually(`processing job ${name} to end`, async () => {
    const job = await p.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    return ['InProgress', 'Stopping'].includes(job.ProcessingJobStatus ?? '') ? undefined : job;
  });
}

/** The endpoint once it exists and `accept` says it is settled the way the caller waits for. */
export function endpointWhen(
  p: Pipeline,
  what: string,
  accept: (endpoint: DescribeEndpointCommandOutput) => boolean,
  timeoutMs = 30_000,
): Promise<DescribeEndpointCommandOutput> {
  return eventually(
    `endpoint ${ENDPOINT} ${what}`,
    async () => {
      const endpoint = await p.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
      return accept(endpoint) ? endpoint : undefined;
    },
    timeoutMs,
  );
}

/** Which model answers an invocation of the pipeline's endpoint (the fault-model images say their label). */
export async function servingModel(p: Pipeline): Promise<string> {
  const response = await p.runtime.send(
    new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'text/csv', Body: '1' }),
  );
  return (JSON.parse(new TextDecoder().decode(response.Body)) as { model: string }).model;
}
