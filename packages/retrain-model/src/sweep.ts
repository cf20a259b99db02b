/**
 * retrain-model's sweep, run by its schedule: training data that no retraining covers (its notifications lost,
 * or dead-lettered) is trained on. An object is covered once a pipeline training job created after it was
 * written has Completed (that job listed the whole prefix), as for a batch. So the sweep compares the newest
 * object under the training-data prefix with the newest Completed pipeline job's CreationTime, waits while a
 * pipeline job is InProgress (it may cover the data; if it fails, the next sweep sees the data uncovered), and
 * otherwise starts one retraining job, through the batch's own code path, named from the newest uncovered
 * object's key and ETag: every sweep derives the same name until new data arrives, so a job that then fails is
 * not started again every hour (whoever alerts on failed jobs tells a human).
 *
 * Cost: one ListTrainingJobs (the pipeline's 100 newest jobs, as for a batch); when none is InProgress, a
 * ListObjectsV2 of the training-data prefix. S3 has no time filter, so that is the one full listing of the
 * sweeps: one call per 1,000 objects under the prefix. Nothing missing: 1 + ceil(objects / 1,000) calls.
 * Starting a job adds DescribeTrainingJob (the image) and CreateTrainingJob.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { countingCalls } from '@sagemaker-pipeline/shared/clients';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { ScheduledEvent } from '@sagemaker-pipeline/shared/events';
import { shortHash } from '@sagemaker-pipeline/shared/naming';
import { trainingDataLocation } from './objects.js';
import { type Deps, recentPipelineJobs, retrainJobName, startRetraining } from './retrain.js';

export interface SweepDeps extends Deps {
  s3: S3Client;
}

/** An object of the training data, as S3 lists it. */
interface ListedObject {
  key: string;
  etag: string;
  lastModified: Date;
}

export interface SweepResult {
  status: 'swept';
  /**
   * covered: the newest object is older than the newest Completed pipeline job; in-progress: a pipeline job is
   * running; no-data: nothing under the prefix; started / already-started: the retraining of the uncovered
   * objects; failed: it could not be started (no training image).
   */
  outcome: 'covered' | 'in-progress' | 'no-data' | 'started' | 'already-started' | 'failed';
  /** Objects under the training-data prefix (folder markers and empty objects are not data). */
  objects?: number;
  /** The newest of them. */
  newestKey?: string;
  /** The creation of the newest Completed pipeline training job: objects written before it are covered. */
  coveredUntil?: string | null;
  /** Objects written since then. */
  uncovered?: number;
  /** The running job (in-progress), or the retraining job (started, already-started, failed). */
  trainingJobName?: string;
  /** The status of an existing retraining job of that name (already-started), when listed. */
  trainingJobStatus?: string;
  error?: string;
  /** SageMaker and S3 calls this sweep made. */
  apiCalls: number;
}

/** Every object under `prefix` that is data: not a folder marker, not empty (as for notifications). */
async function listTrainingData(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/') || !object.Size || !object.LastModified) continue;
      objects.push({ key: object.Key, etag: object.ETag ?? '', lastModified: object.LastModified });
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return objects;
}

/** The most recently written object, the greatest key among equals, so the choice is stable. */
function newestOf(objects: readonly ListedObject[]): ListedObject | undefined {
  let newest: ListedObject | undefined;
  for (const object of objects) {
    const difference = newest ? object.lastModified.getTime() - newest.lastModified.getTime() : 1;
    if (difference > 0 || (difference === 0 && newest && object.key > newest.key)) newest = object;
  }
  return newest;
}

/** The retraining's batch id for the sweep: the newest uncovered object, as its key and ETag identify it. */
export function sweepBatchId(newest: { key: string; etag: string }): string {
  return shortHash(['sweep', newest.key, newest.etag], 16);
}

export async function sweepTrainingData(_schedule: ScheduledEvent, deps: SweepDeps): Promise<SweepResult> {
  const { config } = deps;
  const sagemakerCalls = countingCalls<SageMakerClient>(deps.sagemaker);
  const s3Calls = countingCalls<S3Client>(deps.s3);
  const sagemaker = sagemakerCalls.client;
  const apiCalls = () => sagemakerCalls.calls() + s3Calls.calls();

  const jobs = await recentPipelineJobs(sagemaker, config.PIPELINE_NAME);
  const running = jobs.find((job) => job.TrainingJobStatus === 'InProgress');
  if (running?.TrainingJobName) {
    return {
      status: 'swept',
      outcome: 'in-progress',
      trainingJobName: running.TrainingJobName,
      apiCalls: apiCalls(),
    };
  }

  const location = trainingDataLocation(config.S3_TRAINING_DATA_URI);
  const objects = await listTrainingData(s3Calls.client, location.bucket, location.prefix);
  const newest = newestOf(objects);
  if (!newest) return { status: 'swept', outcome: 'no-data', objects: 0, apiCalls: apiCalls() };

  const completed = jobs.flatMap((job) =>
    job.TrainingJobStatus === 'Completed' && job.CreationTime ? [job.CreationTime.getTime()] : [],
  );
  const coveredUntil = completed.length ? Math.max(...completed) : undefined;
  const uncovered = objects.filter(
    (object) => coveredUntil === undefined || object.lastModified.getTime() >= coveredUntil,
  );
  const seen = {
    objects: objects.length,
    newestKey: newest.key,
    coveredUntil: coveredUntil === undefined ? null : new Date(coveredUntil).toISOString(),
    uncovered: uncovered.length,
  };
  if (uncovered.length === 0) return { status: 'swept', outcome: 'covered', ...seen, apiCalls: apiCalls() };

  const batchId = sweepBatchId(newest);
  const name = retrainJobName(config.PIPELINE_NAME, batchId);
  const existing = jobs.find((job) => job.TrainingJobName === name);
  if (existing) {
    // This data's retraining was started already (and, since the data is not covered, did not complete).
    return {
      status: 'swept',
      outcome: 'already-started',
      ...seen,
      trainingJobName: name,
      ...(existing.TrainingJobStatus ? { trainingJobStatus: existing.TrainingJobStatus } : {}),
      apiCalls: apiCalls(),
    };
  }
  try {
    const outcome = await startRetraining({ sagemaker, config }, jobs, {
      name,
      batchId,
      newestKey: newest.key,
      objectCount: uncovered.length,
    });
    return { status: 'swept', outcome: outcome.status, ...seen, trainingJobName: name, apiCalls: apiCalls() };
  } catch (error) {
    if (!(error instanceof TerminalError)) throw error;
    return {
      status: 'swept',
      outcome: 'failed',
      ...seen,
      trainingJobName: name,
      error: error.message,
      apiCalls: apiCalls(),
    };
  }
}
