import { ListObjectsV2Command, type ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  ResourceInUse,
  SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { type ScheduledEvent, ScheduledEventSchema } from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { retrainJobName } from '../../src/retrain.js';
import { sweepBatchId, sweepTrainingData } from '../../src/sweep.js';
import { BUCKET, sampleEvent } from '../events.js';
import { config, DIGEST, IMAGE, sagemaker } from '../helpers/retrain-fixtures.js';

const s3 = mockClient(S3Client);

const deps = { sagemaker: new SageMakerClient({}), s3: new S3Client({}), config };
const schedule = () => v.parse(ScheduledEventSchema, sampleEvent('scheduled-sweep.json')) as ScheduledEvent;

const FIRST_JOB = 'mlpipe-dev-train-226ba9db57e7';
/** When the pipeline's newest Completed job was created: objects written before it are covered. */
const TRAINED_AT = new Date('2026-11-16T09:00:00Z');

const job = (name: string, status: TrainingJobSummary['TrainingJobStatus'], created = TRAINED_AT) => ({
  TrainingJobName: name,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
  TrainingJobStatus: status,
  CreationTime: created,
});
const object = (key: string, at: string, extra: { Size?: number; ETag?: string } = {}) => ({
  Key: `training-data/${key}`,
  LastModified: new Date(at),
  ETag: `"${key}-etag"`,
  Size: 1200,
  ...extra,
});

function given(jobs: TrainingJobSummary[], objects: ReturnType<typeof object>[]): void {
  sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: jobs });
  sagemaker
    .on(DescribeTrainingJobCommand)
    .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' } });
  sagemaker.on(CreateTrainingJobCommand).callsFake((input: CreateTrainingJobRequest) => ({
    TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${input.TrainingJobName}`,
  }));
  s3.on(ListObjectsV2Command).resolves({
    Contents: objects,
    IsTruncated: false,
  } as ListObjectsV2CommandOutput);
}

const created = () => sagemaker.commandCalls(CreateTrainingJobCommand).map((call) => call.args[0].input);
const nameFor = (key: string) =>
  retrainJobName('mlpipe-dev', sweepBatchId({ key: `training-data/${key}`, etag: `"${key}-etag"` }));

describe('Function: sweepTrainingData', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
  });

  it('starts one retraining job, named from the newest uncovered object, when data is newer than the last completed job', async () => {
    // Prepare
    given(
      [job(FIRST_JOB, 'Completed')],
      [
        object('initial.csv', '2026-11-16T08:00:00Z'),
        object('new/a.csv', '2026-11-16T10:00:00Z'),
        object('new/b.csv', '2026-11-16T10:05:00Z'),
      ],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: 'training-data/', ContinuationToken: undefined },
    ]);
    expect(created()).toHaveLength(1);
    expect(created()[0]).toMatchObject({
      TrainingJobName: nameFor('new/b.csv'),
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3Uri: `s3://${BUCKET}/training-data/` } },
        },
      ],
      Tags: expect.arrayContaining([
        { Key: 'stage', Value: 'retrain-model' },
        {
          Key: 'batch-id',
          Value: sweepBatchId({ key: 'training-data/new/b.csv', etag: '"new/b.csv-etag"' }),
        },
        { Key: 'object-count', Value: '2' },
        { Key: 'newest-key', Value: 'training-data/new/b.csv' },
        { Key: 'image-digest', Value: DIGEST },
      ]),
    });
    expect(result).toEqual({
      status: 'swept',
      outcome: 'started',
      objects: 3,
      newestKey: 'training-data/new/b.csv',
      coveredUntil: '2026-11-16T09:00:00.000Z',
      uncovered: 2,
      trainingJobName: nameFor('new/b.csv'),
      // ListTrainingJobs, ListObjectsV2, DescribeTrainingJob (the image), CreateTrainingJob
      apiCalls: 4,
    });
  });

  it('makes one ListTrainingJobs and one ListObjectsV2 call, and starts nothing, when every object is covered', async () => {
    // Prepare
    given([job(FIRST_JOB, 'Completed')], [object('initial.csv', '2026-11-16T08:00:00Z')]);

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(sagemaker.calls()).toHaveLength(1);
    expect(s3.calls()).toHaveLength(1);
    expect(result).toEqual({
      status: 'swept',
      outcome: 'covered',
      objects: 1,
      newestKey: 'training-data/initial.csv',
      coveredUntil: '2026-11-16T09:00:00.000Z',
      uncovered: 0,
      apiCalls: 2,
    });
  });

  it('waits, listing no object, while a pipeline training job is in progress', async () => {
    // Prepare
    given(
      [job('mlpipe-dev-retrain-0123456789ab', 'InProgress'), job(FIRST_JOB, 'Completed')],
      [object('new/a.csv', '2026-11-16T10:00:00Z')],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toEqual({
      status: 'swept',
      outcome: 'in-progress',
      trainingJobName: 'mlpipe-dev-retrain-0123456789ab',
      apiCalls: 1,
    });
    expect(s3.calls()).toHaveLength(0);
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('does not start again a retraining of the same data that failed: the name is the same until new data comes', async () => {
    // Prepare: the sweep's earlier job for this data failed; it is the newest pipeline job.
    given(
      [job(nameFor('new/a.csv'), 'Failed', new Date('2026-11-16T10:30:00Z')), job(FIRST_JOB, 'Completed')],
      [object('new/a.csv', '2026-11-16T10:00:00Z')],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      outcome: 'already-started',
      trainingJobName: nameFor('new/a.csv'),
      trainingJobStatus: 'Failed',
      uncovered: 1,
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('starts a new retraining once newer data arrives after a failed one', async () => {
    // Prepare
    given(
      [job(nameFor('new/a.csv'), 'Failed', new Date('2026-11-16T10:30:00Z')), job(FIRST_JOB, 'Completed')],
      [object('new/a.csv', '2026-11-16T10:00:00Z'), object('new/c.csv', '2026-11-16T11:00:00Z')],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ outcome: 'started', trainingJobName: nameFor('new/c.csv'), uncovered: 2 });
  });

  it('reports a retraining started meanwhile, beyond the listed jobs, as already started (ResourceInUse)', async () => {
    // Prepare
    given([job(FIRST_JOB, 'Completed')], [object('new/a.csv', '2026-11-16T10:00:00Z')]);
    sagemaker
      .on(CreateTrainingJobCommand)
      .rejects(new ResourceInUse({ message: 'Training job names must be unique', $metadata: {} }));

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ outcome: 'already-started', trainingJobName: nameFor('new/a.csv') });
  });

  it('ignores folder markers and empty objects, as for notifications', async () => {
    // Prepare
    given(
      [job(FIRST_JOB, 'Completed')],
      [
        object('initial.csv', '2026-11-16T08:00:00Z'),
        object('new/', '2026-11-16T10:00:00Z', { Size: 0 }),
        object('new/empty.csv', '2026-11-16T10:00:00Z', { Size: 0 }),
      ],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({ outcome: 'covered', objects: 1, newestKey: 'training-data/initial.csv' });
  });

  it('follows the continuation token through the whole prefix', async () => {
    // Prepare
    given([job(FIRST_JOB, 'Completed')], []);
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [object('new/z.csv', '2026-11-16T10:00:00Z')],
        IsTruncated: true,
        NextContinuationToken: 'page-2',
      } as ListObjectsV2CommandOutput)
      .resolvesOnce({
        Contents: [object('new/a.csv', '2026-11-16T10:00:00Z')],
        IsTruncated: false,
      } as ListObjectsV2CommandOutput);

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.ContinuationToken)).toEqual(
      [undefined, 'page-2'],
    );
    // Written at the same time: the greatest key is the newest, so every sweep picks the same one.
    expect(result).toMatchObject({ outcome: 'started', objects: 2, trainingJobName: nameFor('new/z.csv') });
  });

  it("ignores another pipeline's jobs: they neither cover the data nor hold the sweep back", async () => {
    // Prepare
    given(
      [
        job('mlpipe-dev-2-train-226ba9db57e7', 'InProgress'),
        job('mlpipe-dev-2-retrain-0123456789ab', 'Completed', new Date('2026-11-16T12:00:00Z')),
        job(FIRST_JOB, 'Completed'),
      ],
      [object('new/a.csv', '2026-11-16T10:00:00Z')],
    );

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      outcome: 'started',
      coveredUntil: '2026-11-16T09:00:00.000Z',
      uncovered: 1,
    });
  });

  it('reports no-data when nothing is under the prefix', async () => {
    // Prepare
    given([job(FIRST_JOB, 'Completed')], []);

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toEqual({ status: 'swept', outcome: 'no-data', objects: 0, apiCalls: 2 });
  });

  it('reports failed, with how to fix it, when the pipeline has no training image yet', async () => {
    // Prepare
    given([], [object('initial.csv', '2026-11-16T08:00:00Z')]);

    // Act
    const result = await sweepTrainingData(schedule(), deps);

    // Assess
    expect(result).toMatchObject({
      outcome: 'failed',
      coveredUntil: null,
      uncovered: 1,
      error: expect.stringContaining('Set MODEL_IMAGE_URI'),
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('lets an S3 fault through, for Lambda to retry the sweep', async () => {
    // Prepare
    given([job(FIRST_JOB, 'Completed')], []);
    s3.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }),
    );

    // Act
    const run = sweepTrainingData(schedule(), deps);

    // Assess
    await expect(run).rejects.toThrow('Please reduce your request rate.');
  });
});
