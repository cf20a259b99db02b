/**
 * Burst cost: 1, 100 and 1,000 objects uploaded at once (real S3 PUTs through the stack's edge, bounded
 * concurrency) under the training-data prefix, with infra's bucket notification, queue and batching window and
 * the real retrain-model handler. The figure is the number of training jobs started, against the naive design
 * that starts one per object (N): the pipeline must start exactly one per delivered batch window.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { silentLogger, startStack } from '@sagemaker-pipeline/local';
import { pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import { eventually } from '@sagemaker-pipeline/testing/wait';
import pMap from 'p-map';
import { benchDir, infraService, workspace } from './paths.js';

const STAGE = 'local';
const { pipeline: PIPELINE, bucket: BUCKET } = pipelineNames({ stage: STAGE });
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/${PIPELINE}:burst`;

interface RetrainResult {
  status?: string;
  objects?: number;
  trainingJobName?: string;
}

export interface BurstDelivery {
  status: string;
  objects: number;
}

export interface BurstFigures {
  objects: number;
  /** The naive design: one training job per object. */
  naiveJobs: number;
  /** Training jobs the pipeline started for the burst (SageMaker's own list). */
  jobsStarted: number;
  /** Deliveries (batch windows) of the burst that carried new objects. */
  windows: number;
  deliveries: BurstDelivery[];
  uploadMs: number;
  /** From the first PUT until the invocations that started the burst's jobs had returned. */
  toJobMs: number;
}

export async function measureBursts(
  dir: string,
  sizes: number[],
  concurrency: number,
): Promise<BurstFigures[]> {
  const stack = await startStack({
    port: 0,
    dir,
    stage: STAGE,
    services: [infraService, path.join(workspace, 'packages', 'retrain-model')],
    env: { ...process.env, MODEL_IMAGE_URI: IMAGE },
    images: [{ folder: path.join(benchDir, 'fixtures', 'burst-image'), repository: PIPELINE, tag: 'burst' }],
    logger: silentLogger,
  });
  const config = stack.clientConfig;
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sagemaker = new SageMakerClient(config);
  const invocations = () =>
    stack.functions.invocations.filter((record) => record.function === 'retrainModel');
  const retrainJobs = async () => {
    const { TrainingJobSummaries = [] } = await sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: `${PIPELINE}-retrain-`, MaxResults: 100 }),
    );
    return TrainingJobSummaries.map((job) => job.TrainingJobName ?? '');
  };
  try {
    // S3 sent its s3:TestEvent to the queue when infra's notification was set: let that window pass first
    await eventually('the s3:TestEvent delivery', () => (invocations().length ? true : undefined), 60_000);
    const figures: BurstFigures[] = [];
    for (const size of sizes) {
      const before = invocations().length;
      const jobsBefore = new Set(await retrainJobs());
      const started = performance.now();
      await pMap(
        Array.from({ length: size }, (_, index) => index),
        (index) =>
          s3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `training-data/burst-${size}/part-${String(index).padStart(4, '0')}.csv`,
              Body: `x,y\n${index},${index % 2}\n`,
            }),
          ),
        { concurrency },
      );
      const uploadMs = performance.now() - started;
      const covered = () =>
        invocations()
          .slice(before)
          .map((record) => record.result as RetrainResult | undefined)
          .filter((result) => result?.status === 'started' || result?.status === 'already-started')
          .reduce((sum, result) => sum + (result?.objects ?? 0), 0);
      await eventually(
        `training jobs on the ${size} objects`,
        () => (covered() >= size ? true : undefined),
        180_000,
      );
      const toJobMs = performance.now() - started;
      const newJobs = (await retrainJobs()).filter((name) => !jobsBefore.has(name));
      // the next burst must not find this one's job running (it would be deferred, by design)
      await eventually(
        'the burst jobs to finish',
        async () => {
          for (const name of newJobs) {
            const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
            if (job.TrainingJobStatus === 'InProgress' || job.TrainingJobStatus === 'Stopping')
              return undefined;
          }
          return true;
        },
        120_000,
      );
      const deliveries = invocations()
        .slice(before)
        .map((record) => record.result as RetrainResult | undefined)
        .filter((result) => (result?.objects ?? 0) > 0)
        .map((result) => ({ status: result?.status ?? 'error', objects: result?.objects ?? 0 }));
      figures.push({
        objects: size,
        naiveJobs: size,
        jobsStarted: newJobs.length,
        windows: deliveries.length,
        deliveries,
        uploadMs,
        toJobMs,
      });
    }
    return figures;
  } finally {
    s3.destroy();
    sagemaker.destroy();
    await stack.stop();
  }
}
