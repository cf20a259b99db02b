/**
 * retrain-model's business function: one SQS batch of S3 notifications starts at most one training job on the
 * whole training-data prefix, with the pipeline's current training image.
 *
 * - SageMaker calls per batch are bounded whatever its size: one ListTrainingJobs (throttled at about
 *   2 requests/s account-wide), at most one DescribeTrainingJob and one CreateTrainingJob.
 * - At most one pipeline training job at a time: while one is InProgress, every record with new data is
 *   reported as a batch item failure, so SQS hands it back after the visibility timeout; the next job trains on
 *   the whole prefix, so the data is not lost, only deferred.
 * - The job name is derived from the message ids of the records with new data: a redelivered batch gives the
 *   same name, and that name among the listed jobs, or `ResourceInUse` on it, means an earlier delivery
 *   already started the job.
 * - A body that is not an S3 message is reported as a batch item failure too: it can never succeed, so it ends
 *   in the dead-letter queue after maxReceiveCount receives, where it can be inspected, instead of vanishing.
 */
import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { digestOf, JOB_TAGS } from '@sagemaker-pipeline/shared/contracts';
import { awsErrorName, TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { S3SqsEvent } from '@sagemaker-pipeline/shared/events';
import {
  isPipelineResource,
  namePrefix,
  resourceName,
  shortHash,
  TRAINING_JOB_KINDS,
} from '@sagemaker-pipeline/shared/naming';
import {
  type StartTrainingOutcome,
  startTrainingJob,
  trainingJobRequest,
} from '@sagemaker-pipeline/shared/training';
import type { RetrainModelConfig } from './config.js';
import {
  classifyRecord,
  distinctObjects,
  type NewObject,
  newestObject,
  trainingDataLocation,
} from './objects.js';

export const STAGE = 'retrain-model';

/**
 * How many of the pipeline's newest training jobs one ListTrainingJobs call inspects (the API's maximum). A job
 * still InProgress behind 100 newer pipeline jobs is not seen; with at most one retrain job at a time and
 * trigger-training's one job per pushed image, that takes 100 image pushes during one training run. The 100
 * are the newest whose names contain `<pipeline>-`, which includes the jobs of a pipeline whose name extends
 * this one (`mlpipe-dev-2`): they are filtered out after the call, but take room in it.
 */
export const LIST_MAX_RESULTS = 100;

export interface Deps {
  sagemaker: SageMakerClient;
  config: RetrainModelConfig;
}

/** Lambda's partial batch response: the records SQS must deliver again. */
export interface BatchItemFailure {
  itemIdentifier: string;
}

interface BatchCounts {
  /** Distinct new objects under the training-data prefix. */
  objects: number;
  batchItemFailures: BatchItemFailure[];
  /** Records whose body is not an S3 message, with what is wrong: reported as failures, bound for the DLQ. */
  rejected?: { messageId: string; error: string }[];
}

export type RetrainResult =
  | ({ status: 'skipped'; reason: string } & BatchCounts)
  | ({ status: 'deferred'; reason: string; runningJob: string } & BatchCounts)
  | ({ status: 'failed'; error: string } & BatchCounts)
  | ({
      status: 'started' | 'already-started';
      trainingJobName: string;
      trainingJobArn?: string | undefined;
      /** Absent when the running job of an earlier delivery is ours: no image was looked up. */
      imageUri?: string;
      batchId: string;
      newestKey: string;
    } & BatchCounts);

/** Identifies a batch by the sorted message ids of its records with new data: stable across redeliveries. */
export function batchId(messageIds: readonly string[]): string {
  return shortHash([...messageIds].sort(), 16);
}

export function retrainJobName(pipeline: string, id: string): string {
  return resourceName(pipeline, 'retrain', id);
}

/**
 * The pipeline's newest training jobs, newest first: exactly its `train` and `retrain` names, so another
 * pipeline's job (`mlpipe-dev-2-...` contains `mlpipe-dev-`) never defers a batch, covers its data or gives
 * the image.
 */
export async function recentPipelineJobs(
  sagemaker: SageMakerClient,
  pipeline: string,
): Promise<TrainingJobSummary[]> {
  // No StatusEquals: with MaxResults, SageMaker applies it only to the MaxResults newest jobs anyway, so one
  // call gives both the running job, if any, and the newest job (whose image retraining uses). NameContains is
  // a substring (either kind's names contain it); the exact filter below drops what else contains it.
  const output = await sagemaker.send(
    new ListTrainingJobsCommand({
      NameContains: namePrefix(pipeline),
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: LIST_MAX_RESULTS,
    }),
  );
  return (output.TrainingJobSummaries ?? []).filter(
    (job) =>
      job.TrainingJobName !== undefined &&
      isPipelineResource(job.TrainingJobName, pipeline, TRAINING_JOB_KINDS),
  );
}

/** The image of `job`, or undefined when it has none (an algorithm job) or is gone. */
async function imageOfJob(sagemaker: SageMakerClient, job: string): Promise<string | undefined> {
  try {
    const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job }));
    return described.AlgorithmSpecification?.TrainingImage || undefined;
  } catch (error) {
    // Real SageMaker answers ValidationException for a missing training job, the API reference ResourceNotFound.
    const name = awsErrorName(error);
    if (name === 'ValidationException' || name === 'ResourceNotFound') return undefined;
    throw error;
  }
}

/**
 * The image to retrain with: the newest pipeline training job's, else MODEL_IMAGE_URI, else a TerminalError
 * that says how to provide one.
 */
export async function trainingImage(
  sagemaker: SageMakerClient,
  config: RetrainModelConfig,
  newestJob: string | undefined,
): Promise<string> {
  const fromJob = newestJob ? await imageOfJob(sagemaker, newestJob) : undefined;
  const image = fromJob ?? config.MODEL_IMAGE_URI;
  if (image) return image;
  throw new TerminalError(
    `No training image for pipeline ${config.PIPELINE_NAME}: it has no training job yet and MODEL_IMAGE_URI is ` +
      'not set. Set MODEL_IMAGE_URI (serverless.yml param modelImageUri) or push an image to the pipeline ' +
      'repository, which starts a first training job.',
  );
}

const failures = (messageIds: Iterable<string>): BatchItemFailure[] =>
  [...messageIds].map((itemIdentifier) => ({ itemIdentifier }));

export async function retrain(event: S3SqsEvent, { sagemaker, config }: Deps): Promise<RetrainResult> {
  const location = trainingDataLocation(config.S3_TRAINING_DATA_URI);
  const verdicts = event.Records.map((record) => classifyRecord(record, location));

  const rejected = verdicts.flatMap((v) =>
    v.kind === 'bad' ? [{ messageId: v.messageId, error: v.error }] : [],
  );
  const withData = verdicts.flatMap((v) => (v.kind === 'objects' ? [v] : []));
  const counts = (objects: number, deferred: readonly string[] = []): BatchCounts => ({
    objects,
    batchItemFailures: failures([...deferred, ...rejected.map((r) => r.messageId)]),
    ...(rejected.length ? { rejected } : {}),
  });

  if (withData.length === 0) {
    const reasons = [...new Set(verdicts.flatMap((v) => (v.kind === 'ignored' ? [v.reason] : [])))];
    if (rejected.length) reasons.push(`${rejected.length} message(s) not S3 notifications`);
    const reason = event.Records.length
      ? `no new object under s3://${location.bucket}/${location.prefix} in ${event.Records.length} message(s)` +
        (reasons.length ? `: ${reasons.slice(0, 10).join('; ')}` : '')
      : 'empty batch';
    return { status: 'skipped', reason, ...counts(0) };
  }

  const objects = distinctObjects(withData.flatMap((v) => v.objects));
  const messageIds = withData.map((v) => v.messageId);
  const id = batchId(messageIds);
  const name = retrainJobName(config.PIPELINE_NAME, id);
  const newest = newestObject(objects) as NewObject; // withData is not empty

  const jobs = await recentPipelineJobs(sagemaker, config.PIPELINE_NAME);
  const ours = jobs.find((job) => job.TrainingJobName === name);
  if (ours) {
    // An earlier delivery of this very batch started the job, which may still be running.
    return {
      status: 'already-started',
      trainingJobName: name,
      trainingJobArn: ours.TrainingJobArn,
      batchId: id,
      newestKey: newest.key,
      ...counts(objects.length),
    };
  }
  // A job created after an object was written lists the whole prefix after it: once Completed, it has trained
  // on the object, so a notification S3 or SQS delivers again after that announces nothing new. (An InProgress
  // job is not enough: if it fails, the records must come back, so they are deferred as below.)
  const coveredUntil = Math.max(
    Number.NEGATIVE_INFINITY,
    ...jobs.flatMap((job) =>
      job.TrainingJobStatus === 'Completed' && job.CreationTime ? [job.CreationTime.getTime()] : [],
    ),
  );
  if (objects.every((object) => Date.parse(object.eventTime) < coveredUntil)) {
    return {
      status: 'skipped',
      reason: `every object was written before a completed training job on the whole prefix started (${new Date(coveredUntil).toISOString()}): a repeated notification`,
      ...counts(objects.length),
    };
  }
  const running = jobs.find((job) => job.TrainingJobStatus === 'InProgress');
  if (running?.TrainingJobName) {
    return {
      status: 'deferred',
      reason: `training job ${running.TrainingJobName} is in progress; SQS delivers the ${messageIds.length} record(s) again after the visibility timeout`,
      runningJob: running.TrainingJobName,
      ...counts(objects.length, messageIds),
    };
  }

  try {
    const outcome = await startRetraining({ sagemaker, config }, jobs, {
      name,
      batchId: id,
      newestKey: newest.key,
      objectCount: objects.length,
    });
    return { ...outcome, batchId: id, newestKey: newest.key, ...counts(objects.length) };
  } catch (error) {
    // Not acknowledged: the records come back until an image exists, then go to the dead-letter queue.
    if (error instanceof TerminalError) {
      return { status: 'failed', error: error.message, ...counts(objects.length, messageIds) };
    }
    throw error;
  }
}

/** What a retraining job is started for. */
export interface Retraining {
  /** Its derived name. */
  name: string;
  /** What the name is derived from, tagged as `batch-id`. */
  batchId: string;
  newestKey: string;
  objectCount: number;
}

/**
 * Starts a retraining job on the whole prefix with the pipeline's current training image (the newest of `jobs`,
 * the pipeline's, else MODEL_IMAGE_URI): an SQS batch's way and the sweep's. No image: a TerminalError.
 */
export async function startRetraining(
  { sagemaker, config }: Deps,
  jobs: readonly TrainingJobSummary[],
  retraining: Retraining,
): Promise<StartTrainingOutcome & { imageUri: string }> {
  const imageUri = await trainingImage(sagemaker, config, jobs[0]?.TrainingJobName);
  const request = trainingJobRequest(config, {
    name: retraining.name,
    imageUri,
    stage: STAGE,
    lineage: {
      'batch-id': retraining.batchId,
      'object-count': String(retraining.objectCount),
      'newest-key': retraining.newestKey,
      [JOB_TAGS.imageDigest]: digestOf(imageUri),
    },
  });
  return { ...(await startTrainingJob(sagemaker, request)), imageUri };
}
