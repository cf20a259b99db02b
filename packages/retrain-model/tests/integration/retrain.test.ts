import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeTrainingJobCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { type Stack, startStack } from '@sagemaker-pipeline/local';
import { eventually } from '@sagemaker-pipeline/testing/wait';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const BUCKET = 'mlpipe-local-000000000000-us-east-1';
const IMAGE = '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-local:retrain-test';
const OBJECTS = 100;

interface Invocation {
  function: string;
  status: 'success' | 'error';
  result?: { status: string; objects: number; trainingJobName?: string; batchItemFailures: unknown[] };
}

describe('Integration: retrain-model on the offline stack', () => {
  let stack: Stack;
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  const invocations = () =>
    (stack.functions.invocations as Invocation[]).filter((record) => record.function === 'retrainModel');

  beforeAll(async () => {
    stack = await startStack({
      port: 0,
      temporary: true,
      services: [path.join(root, 'packages/infra'), path.join(root, 'packages/retrain-model')],
      env: { MODEL_IMAGE_URI: IMAGE },
      images: [
        {
          folder: path.join(root, 'local/tests/fixtures/images/echo-model'),
          repository: 'mlpipe-local',
          tag: 'retrain-test',
        },
      ],
      // a 60 s batching window lasts 3 s, the 900 s visibility timeout 45 s: longer than a batch may take on
      // a loaded machine (at 0.02, 18 s, two CI runs timed out waiting for the batches' jobs)
      sqsTimeScale: 0.05,
      logger: { info: () => {}, warn: () => {} },
    });
    s3 = stack.client(S3Client, { forcePathStyle: true });
    sagemaker = stack.client(SageMakerClient);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts exactly one training job per delivered batch for 100 uploaded objects, on all of them', async () => {
    // Prepare: S3 sent its s3:TestEvent when infra's notification was configured; the function skipped it.
    // The first invocation waits for the function's bundle, which a loaded machine takes a while to build.
    const [first] = await eventually(
      'the first retrain invocation',
      () => (invocations().length ? invocations() : undefined),
      60_000,
    );
    expect(first?.result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/s3:TestEvent/) });

    // Act: a burst of uploads, with S3's key encoding on the way
    await Promise.all(
      Array.from({ length: OBJECTS }, (_, i) =>
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `training-data/burst 1/part+${String(i).padStart(3, '0')}.csv`,
            Body: `x,y\n${i},${i % 2}\n`,
          }),
        ),
      ),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'evaluation-data/holdout.csv', Body: 'x,y\n1,1\n' }),
    );
    const started = await eventually(
      'the training job start',
      () => {
        const done = invocations().filter((r) =>
          ['started', 'already-started'].includes(r.result?.status ?? ''),
        );
        return done.reduce((sum, r) => sum + (r.result?.objects ?? 0), 0) >= OBJECTS ? done : undefined;
      },
      60_000,
    );

    // Assess: every started batch is one job of the pipeline, and each object was in exactly one of them
    expect(invocations().every((record) => record.status === 'success')).toBe(true);
    const listed = await sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'mlpipe-local-retrain-', MaxResults: 100 }),
    );
    const jobNames = (listed.TrainingJobSummaries ?? []).map((job) => job.TrainingJobName).sort();
    expect(jobNames).toEqual(started.map((record) => record.result?.trainingJobName).sort());
    expect(started.map((record) => record.result?.status)).toEqual(started.map(() => 'started'));
    expect(started.reduce((sum, r) => sum + (r.result?.objects ?? 0), 0)).toBe(OBJECTS);
    expect(started.length).toBeGreaterThanOrEqual(1);

    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobNames[0] }));
    expect(job.AlgorithmSpecification?.TrainingImage).toBe(IMAGE);
    expect(job.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri).toBe(`s3://${BUCKET}/training-data/`);
    const finished = await eventually('the training job to finish', async () => {
      const described = await sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: jobNames[0] }),
      );
      return described.TrainingJobStatus === 'InProgress' ? undefined : described;
    });
    expect([finished.TrainingJobStatus, finished.FailureReason]).toEqual(['Completed', undefined]);
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: job.TrainingJobArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'pipeline', Value: 'mlpipe-local' },
        { Key: 'stage', Value: 'retrain-model' },
        { Key: 'newest-key', Value: expect.stringMatching(/^training-data\/burst 1\/part\+\d{3}\.csv$/) },
      ]),
    );
  }, 150_000);

  it('starts one more job for a later burst once the first job has finished', async () => {
    // Prepare
    const before = invocations().length;
    const jobsBefore = await sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'mlpipe-local-retrain-' }),
    );

    // Act
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `training-data/burst-2/${i}.csv`,
            Body: `x,y\n${i},1\n`,
          }),
        ),
      ),
    );
    const later = await eventually(
      'the 50 objects announced',
      () => {
        const records = invocations().slice(before);
        return records.reduce((sum, r) => sum + (r.result?.status === 'started' ? r.result.objects : 0), 0) >=
          50
          ? records
          : undefined;
      },
      60_000,
    );

    // Assess
    const started = later.filter((record) => record.result?.status === 'started');
    const jobsAfter = await sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'mlpipe-local-retrain-' }),
    );
    expect(jobsAfter.TrainingJobSummaries?.length).toBe(
      (jobsBefore.TrainingJobSummaries?.length ?? 0) + started.length,
    );
    const newest = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: started.at(-1)?.result?.trainingJobName }),
    );
    expect(newest.AlgorithmSpecification?.TrainingImage).toBe(IMAGE);
  }, 90_000);
});
