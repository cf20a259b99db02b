import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  ResourceInUse,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { tagValue } from '@sagemaker-pipeline/shared/training';
import 'aws-sdk-client-mock-jest';
import { batchId, retrain, retrainJobName } from '../../src/retrain.js';
import { BUCKET, objectBatch, s3Body, sqsRecord, TEST_EVENT_BODY } from '../events.js';
import {
  created,
  DIGEST,
  deps,
  FIRST_JOB,
  IMAGE,
  LIST_INPUT,
  objectKeys,
  pipelineTrainedOnce,
  sagemaker,
  summary,
} from '../helpers/retrain-fixtures.js';

describe('Function: retrain', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('starts exactly one training job per batch for 1,000 objects in 10 batches of 100, with the exact input', async () => {
    // Prepare: each batch arrives once the previous job has finished; the jobs list shows the jobs started so far
    const jobs: TrainingJobSummary[] = [summary(FIRST_JOB, 'Completed')];
    sagemaker.on(ListTrainingJobsCommand).callsFake(() => ({ TrainingJobSummaries: [...jobs] }));
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' } });
    sagemaker.on(CreateTrainingJobCommand).callsFake((input: CreateTrainingJobRequest) => {
      jobs.unshift(summary(input.TrainingJobName ?? '', 'Completed'));
      return {
        TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${input.TrainingJobName}`,
      };
    });
    const batches = Array.from({ length: 10 }, (_, b) => objectBatch(objectKeys(b, 100), `batch-${b}`));

    // Act
    const results = [];
    for (const batch of batches) results.push(await retrain(batch, deps));

    // Assess: one job per batch, ten different names, the data of each batch in its tags
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 10);
    expect(sagemaker).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 10);
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeTrainingJobCommand, 10);
    const names = created().map((input) => input.TrainingJobName);
    expect(new Set(names).size).toBe(10);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('started'));
    expect(results.reduce((sum, r) => sum + r.objects, 0)).toBe(1000);
    expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);

    const firstId = batchId(Array.from({ length: 100 }, (_, i) => `batch-0-${i}`));
    expect(created()[0]).toEqual({
      TrainingJobName: retrainJobName('mlpipe-dev', firstId),
      RoleArn: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      HyperParameters: {},
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: `s3://${BUCKET}/training-data/`,
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Tags: [
        { Key: 'pipeline', Value: 'mlpipe-dev' },
        { Key: 'stage', Value: 'retrain-model' },
        { Key: 'batch-id', Value: firstId },
        { Key: 'object-count', Value: '100' },
        { Key: 'newest-key', Value: 'training-data/upload-0/part-0099.csv' },
        { Key: 'image-digest', Value: DIGEST },
      ],
    });
    expect(created()[0]?.TrainingJobName).toMatch(/^mlpipe-dev-retrain-[0-9a-f]{12}$/);
    expect(results[0]).toEqual({
      status: 'started',
      trainingJobName: created()[0]?.TrainingJobName,
      trainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${created()[0]?.TrainingJobName}`,
      imageUri: IMAGE,
      batchId: firstId,
      newestKey: 'training-data/upload-0/part-0099.csv',
      objects: 100,
      batchItemFailures: [],
    });
    // the second batch found the first retrain job as the newest one, and kept its image
    expect(sagemaker).toHaveReceivedNthSpecificCommandWith(2, DescribeTrainingJobCommand, {
      TrainingJobName: names[0],
    });
    expect(created().every((input) => input.AlgorithmSpecification?.TrainingImage === IMAGE)).toBe(true);
  });

  it('asks ListTrainingJobs once per batch with a bounded page, whatever the batch size', async () => {
    pipelineTrainedOnce();

    for (const size of [1, 100, 1000]) {
      sagemaker.resetHistory();
      await retrain(objectBatch(objectKeys(1, size), `size-${size}`), deps);

      expect(sagemaker).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 1);
      expect(sagemaker).toHaveReceivedCommandWith(ListTrainingJobsCommand, LIST_INPUT);
      expect(sagemaker).toHaveReceivedCommandTimes(DescribeTrainingJobCommand, 1);
      expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
    }
  });

  it('starts nothing and calls nothing for a batch of only s3:TestEvent, folder markers, empty and foreign objects', async () => {
    const event = {
      Records: [
        sqsRecord('test', TEST_EVENT_BODY),
        sqsRecord('folder', s3Body({ key: 'training-data/2026-11-16/', size: 0 })),
        sqsRecord('empty', s3Body({ key: 'training-data/_SUCCESS', size: 0 })),
        sqsRecord('outside', s3Body({ key: 'evaluation-data/holdout.csv' })),
        sqsRecord('bucket', s3Body({ key: 'training-data/a.csv', bucket: 'another-team-bucket' })),
      ],
    };

    const result = await retrain(event, deps);

    expect(sagemaker.calls()).toHaveLength(0);
    expect(result).toEqual({
      status: 'skipped',
      reason:
        `no new object under s3://${BUCKET}/training-data/ in 5 message(s): s3:TestEvent for bucket ${BUCKET}; ` +
        'training-data/2026-11-16/ is a folder marker; training-data/_SUCCESS is empty (0 bytes); ' +
        'evaluation-data/holdout.csv is outside training-data/; bucket another-team-bucket is not the pipeline bucket',
      objects: 0,
      batchItemFailures: [],
    });
  });

  it('tags the newest key decoded, and sanitised only where SageMaker refuses the character', async () => {
    pipelineTrainedOnce();
    const event = objectBatch([
      { key: 'training-data/old.csv', eventTime: '2026-11-16T10:00:00.000Z' },
      { key: 'training-data/new+batch/caf%C3%A9+%2B1+100%25.csv', eventTime: '2026-11-16T10:00:05.000Z' },
    ]);

    const result = await retrain(event, deps);

    expect(result).toMatchObject({
      status: 'started',
      newestKey: 'training-data/new batch/café +1 100%.csv',
    });
    expect(created()[0]?.Tags).toContainEqual({
      Key: 'newest-key',
      Value: 'training-data/new batch/café +1 100_.csv',
    });
    expect(tagValue('training-data/new batch/café +1 100%.csv')).toBe(
      'training-data/new batch/café +1 100_.csv',
    );
  });

  it('reports every record with new data as failed, and starts nothing, while a pipeline job is running', async () => {
    sagemaker.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        summary('mlpipe-dev-retrain-0123456789ab', 'InProgress'),
        summary(FIRST_JOB, 'Completed'),
      ],
    });
    const event = {
      Records: [
        sqsRecord('test', TEST_EVENT_BODY),
        ...objectBatch(objectKeys(2, 50), 'new').Records,
        sqsRecord('outside', s3Body({ key: 'evaluation-data/holdout.csv' })),
      ],
    };

    const result = await retrain(event, deps);

    expect(result).toEqual({
      status: 'deferred',
      reason:
        'training job mlpipe-dev-retrain-0123456789ab is in progress; SQS delivers the 50 record(s) again after the visibility timeout',
      runningJob: 'mlpipe-dev-retrain-0123456789ab',
      objects: 50,
      batchItemFailures: Array.from({ length: 50 }, (_, i) => ({ itemIdentifier: `new-${i}` })),
    });
    expect(sagemaker).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 1);
    expect(sagemaker).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('gives a redelivered batch the same job name and reports it as already started, creating nothing new', async () => {
    // Prepare: the first delivery started the job; the redelivery comes in another order, with S3's test event
    pipelineTrainedOnce();
    sagemaker
      .on(CreateTrainingJobCommand)
      .resolvesOnce({ TrainingJobArn: 'arn' })
      .rejects(new ResourceInUse({ message: 'Training job names must be unique', $metadata: {} }));
    const first = objectBatch(objectKeys(3, 20), 'redelivered');
    const again = { Records: [sqsRecord('test', TEST_EVENT_BODY), ...[...first.Records].reverse()] };

    // Act
    const started = await retrain(first, deps);
    const redelivered = await retrain(again, deps);

    // Assess
    const [name, nameAgain] = created().map((input) => input.TrainingJobName);
    expect(nameAgain).toBe(name);
    expect(started.status).toBe('started');
    expect(redelivered).toEqual({
      status: 'already-started',
      trainingJobName: name,
      imageUri: IMAGE,
      batchId: batchId(first.Records.map((r) => r.messageId)),
      newestKey: 'training-data/upload-3/part-0019.csv',
      objects: 20,
      batchItemFailures: [],
    });
  });

  it('skips a notification delivered again after a completed job, created after its objects were written, trained on them', async () => {
    // Prepare: the objects were written at 10:07; a pipeline job on the whole prefix was created at 11:00 and completed
    const later = {
      ...summary('mlpipe-dev-retrain-0123456789ab', 'Completed'),
      CreationTime: new Date('2026-11-16T11:00:00Z'),
    };
    sagemaker
      .on(ListTrainingJobsCommand)
      .resolves({ TrainingJobSummaries: [later, summary(FIRST_JOB, 'Completed')] });
    const event = objectBatch(objectKeys(7, 5), 'late-copy');

    // Act
    const result = await retrain(event, deps);

    // Assess
    expect(result).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(
        /written before a completed training job .* started \(2026-11-16T11:00:00\.000Z\)/,
      ),
      batchItemFailures: [],
    });
    expect(sagemaker).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 1);
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('still trains when one object of the batch was written after the newest completed job started', async () => {
    pipelineTrainedOnce();
    const early = {
      ...summary('mlpipe-dev-retrain-0123456789ab', 'Completed'),
      CreationTime: new Date('2026-11-16T10:07:00.002Z'),
    };
    sagemaker
      .on(ListTrainingJobsCommand)
      .resolves({ TrainingJobSummaries: [early, summary(FIRST_JOB, 'Completed')] });
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' } });
    // Objects at 10:07:00.000 ... .004: the last three were written after the job was created.
    const event = objectBatch(objectKeys(7, 5), 'partly-new');

    const result = await retrain(event, deps);

    expect(result.status).toBe('started');
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });

  it.each([
    ['running', [summary('mlpipe-dev-train-0123456789ab', 'Completed')]],
    ['running behind a newer running job', [summary('mlpipe-dev-train-0123456789ab', 'InProgress')]],
  ])(
    'reports a redelivered batch whose job is listed (%s) as already started, without another call',
    async (_what, newer) => {
      const event = objectBatch(objectKeys(4, 10), 'running');
      const name = retrainJobName('mlpipe-dev', batchId(event.Records.map((r) => r.messageId)));
      sagemaker
        .on(ListTrainingJobsCommand)
        .resolves({ TrainingJobSummaries: [...newer, summary(name, 'InProgress')] });

      const result = await retrain(event, deps);

      expect(result).toEqual({
        status: 'already-started',
        trainingJobName: name,
        trainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
        batchId: batchId(event.Records.map((r) => r.messageId)),
        newestKey: 'training-data/upload-4/part-0009.csv',
        objects: 10,
        batchItemFailures: [],
      });
      expect(sagemaker.calls()).toHaveLength(1);
    },
  );
});
