import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type Stack, type StackOptions, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { pipelineNames, type ServiceName } from '@sagemaker-pipeline/shared/contracts';
import { eventually } from '@sagemaker-pipeline/testing/wait';

export { eventually };

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const local = pipelineNames({ stage: 'local' });

/** The names pipeline.yml derives for stage `local` on the stack's default account and region. */
export const NAMES = {
  pipeline: local.pipeline,
  bucket: local.bucket,
  repository: local.repository,
  group: local.modelPackageGroup,
  endpoint: local.endpoint,
  retrainQueue: local.retrainQueue,
  trainingPrefix: `${local.prefixes.trainingData}/`,
  evaluationPrefix: `${local.prefixes.evaluationData}/`,
} as const;

export type { ServiceName };

export interface PipelineStack {
  stack: Stack;
  s3: S3Client;
  sagemaker: SageMakerClient;
  stop(): Promise<void>;
}

export async function startPipelineStack(
  services: ServiceName[],
  options: Partial<StackOptions> = {},
): Promise<PipelineStack> {
  const stack = await startStack({
    port: 0,
    temporary: true,
    logger: silentLogger,
    services: services.map((name) => path.join(ROOT, 'packages', name)),
    ...options,
  });
  return {
    stack,
    s3: stack.client(S3Client, { forcePathStyle: true }),
    sagemaker: stack.client(SageMakerClient),
    stop: () => stack.stop(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the stack is busy with, or undefined when nothing is in progress. */
export function busyWith(stack: Stack): string | undefined {
  const jobs = [...stack.sagemaker.trainingJobs.values(), ...stack.sagemaker.processingJobs.values()];
  const running = jobs.find((job) => job.status === 'InProgress' || job.status === 'Stopping');
  if (running) return `job ${running.name} ${running.status}`;
  const endpoint = [...stack.sagemaker.endpoints.values()].find(
    (candidate) => candidate.status === 'Creating' || candidate.status === 'Updating',
  );
  if (endpoint) return `endpoint ${endpoint.name} ${endpoint.status}`;
  const queue = [...stack.queues.values()].find((candidate) => candidate.messages.length > 0);
  if (queue) return `queue ${queue.name} with ${queue.messages.length} message(s)`;
  return undefined;
}

/**
 * Waits until nothing is in progress and neither the bus nor the functions have seen anything new for
 * `quietMs` (longer than an invocation or a retry delay), bounded by `timeoutMs`.
 */
export async function settle(stack: Stack, { quietMs = 1_500, timeoutMs = 30_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  let quietSince = Date.now();
  for (;;) {
    const busy = busyWith(stack);
    const now = `${stack.bus.recorded.length}/${stack.functions.invocations.length}`;
    if (busy || now !== seen) {
      seen = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the stack did not settle within ${timeoutMs} ms (${busy ?? 'events still arriving'})`);
    }
    await sleep(50);
  }
}

export interface Upload {
  key: string;
  body: string;
}

/**
 * PutObject of every upload through the stack, at most `concurrency` at a time. Returns when each write was
 * acknowledged (epoch ms), by key: the object was written no later than that.
 */
export async function putObjects(
  s3: S3Client,
  bucket: string,
  uploads: readonly Upload[],
  concurrency = 50,
): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < uploads.length) {
      const upload = uploads[next] as Upload;
      next += 1;
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: upload.key, Body: upload.body, ContentType: 'text/csv' }),
      );
      written.set(upload.key, Date.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, uploads.length) }, worker));
  return written;
}

/** The S3 keys a training job downloaded into each channel, as the stack records them. */
export function channelKeys(stack: Stack, trainingJobName: string): Record<string, string[]> {
  const job = stack.sagemaker.trainingJobs.get(trainingJobName) as
    | { inputKeys?: Record<string, string[]> }
    | undefined;
  return job?.inputKeys ?? {};
}

/** Invocation records of one function, typed loosely as the stage results are. */
export interface StageInvocation {
  function: string;
  trigger: string;
  eventId?: string;
  attempt: number;
  start: string;
  status: 'success' | 'error';
  result?: {
    status?: string;
    objects?: number;
    trainingJobName?: string;
    batchItemFailures?: { itemIdentifier: string }[];
  };
  error?: { errorMessage: string };
}

export function invocationsOf(stack: Stack, fn: string): StageInvocation[] {
  return (stack.functions.invocations as StageInvocation[]).filter((record) => record.function === fn);
}

/** Counts of each value. */
export function tally(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
