import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DescribeProcessingJobCommand,
  type DescribeProcessingJobCommandOutput,
  DescribeTrainingJobCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ResourceInUse,
  ResourceNotFound,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { readArchiveFiles } from '../../src/sagemaker/model-archive.js';
import { brokenImage, echoImage, ROLE, trainingRequest } from '../helpers/fixtures.js';
import { eventually, startTestStack, type TestStack, trainingFinished } from '../helpers/stack.js';

describe('SageMaker: training and processing jobs as local processes', () => {
  let t: TestStack;
  let echoUri: string;
  let brokenUri: string;

  const finished = (name: string) => trainingFinished(t, name);

  beforeAll(async () => {
    t = await startTestStack();
    echoUri = (await t.stack.images.push(echoImage, 'echo-model', 'v1')).imageUri;
    brokenUri = (await t.stack.images.push(brokenImage, 'broken-model')).imageUri;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-data' }));
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-artifacts' }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/part-1.csv', Body: 'a,1\nb,2\nc,3\n' }),
    );
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/more/part 2.csv', Body: 'd,4\n' }),
    );
  });
  afterAll(() => t.stop());

  it('completes a training job and uploads model.tar.gz to <S3OutputPath>/<job>/output/', async () => {
    // Act
    const created = await t.sagemaker.send(
      new CreateTrainingJobCommand(trainingRequest('train-ok-1', echoUri)),
    );
    const job = await finished('train-ok-1');

    // Assess
    expect(created.TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:training-job/train-ok-1');
    expect(job).toMatchObject({
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: 's3://ml-artifacts/models/train-ok-1/output/model.tar.gz' },
      HyperParameters: { epochs: '3', learning_rate: '0.1' },
    });
    expect(job.TrainingStartTime).toBeInstanceOf(Date);
    expect(job.TrainingEndTime?.getTime()).toBeGreaterThanOrEqual(job.TrainingStartTime?.getTime() ?? 0);
    expect(job.SecondaryStatusTransitions?.map((transition) => transition.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    const archive = await t.s3.send(
      new GetObjectCommand({ Bucket: 'ml-artifacts', Key: 'models/train-ok-1/output/model.tar.gz' }),
    );
    const files = await readArchiveFiles((await archive.Body?.transformToByteArray()) ?? new Uint8Array());
    expect(Object.keys(files).sort()).toEqual(['model.json', 'nested/weights.txt']);
    expect(JSON.parse(files['model.json'] ?? '{}')).toEqual({
      rows: { train: 4 },
      hyperparameters: { epochs: '3', learning_rate: '0.1' },
      hps: { epochs: 3, learning_rate: 0.1 },
    });
  });

  it('emits Training Job State Change events in the AWS shape', async () => {
    // Act
    const events = await eventually('the training job state change events', async () => {
      const found = t.stack.bus.recorded.filter(
        (record) =>
          record.event['detail-type'] === 'SageMaker Training Job State Change' &&
          record.event.detail.TrainingJobName === 'train-ok-1',
      );
      return found.some((record) => record.event.detail.TrainingJobStatus === 'Completed')
        ? found
        : undefined;
    });

    // Assess
    const completed = events.find((record) => record.event.detail.TrainingJobStatus === 'Completed')?.event;
    expect(completed).toMatchObject({
      version: '0',
      source: 'aws.sagemaker',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:sagemaker:us-east-1:000000000000:training-job/train-ok-1'],
      detail: {
        TrainingJobName: 'train-ok-1',
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        ModelArtifacts: { S3ModelArtifacts: 's3://ml-artifacts/models/train-ok-1/output/model.tar.gz' },
        AlgorithmSpecification: { TrainingImage: echoUri },
        Tags: {},
      },
    });
    expect(typeof completed?.detail.CreationTime).toBe('number');
    expect(completed?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(events[0]?.event.detail).toMatchObject({
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Starting',
    });
  });

  it('fails a training job with the FailureReason written to /opt/ml/output/failure', async () => {
    // Act
    await t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('train-broken-1', brokenUri)));
    const job = await finished('train-broken-1');

    // Assess
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.SecondaryStatus).toBe('Failed');
    expect(job.FailureReason).toBe('AlgorithmError: ValueError: training data has no label column');
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe('');
  });

  it('fails a training job whose image was never pushed, with a ClientError reason', async () => {
    // Act
    await t.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingRequest(
          'train-no-image',
          `000000000000.dkr.ecr.us-east-1.amazonaws.com/unknown@sha256:${'0'.repeat(64)}`,
        ),
      ),
    );
    const job = await finished('train-no-image');

    // Assess
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^ClientError: Requested image .* not found/);
  });

  it('rejects a second job with the same name with ResourceInUse', async () => {
    await expect(
      t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('train-ok-1', echoUri))),
    ).rejects.toBeInstanceOf(ResourceInUse);
  });

  it.each(['bad_name', '-leading', 'trailing-', 'a'.repeat(64), 'x..y'])(
    'rejects the job name %p with ValidationException',
    async (name) => {
      await expect(
        t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest(name, echoUri))),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("at 'trainingJobName' failed to satisfy constraint"),
      });
    },
  );

  it.each(['a', 'A1', 'a--b', 'a'.repeat(63)])('accepts the job name %p', async (name) => {
    await expect(
      t.sagemaker.send(
        new CreateTrainingJobCommand(trainingRequest(name, echoUri, { HyperParameters: { sleep: '0' } })),
      ),
    ).resolves.toHaveProperty('TrainingJobArn');
    await finished(name);
  });

  it('answers DescribeTrainingJob of an unknown job with ValidationException, as AWS does', async () => {
    await expect(
      t.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'never-created' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Requested resource not found.',
    });
  });

  it('stops a running job with StopTrainingJob', async () => {
    // Prepare
    await t.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingRequest('train-slow', echoUri, { HyperParameters: { sleep: '30' } }),
      ),
    );
    await eventually('the job to be Training', async () => {
      const job = await t.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'train-slow' }));
      return job.SecondaryStatus === 'Training' ? job : undefined;
    });

    // Act
    await t.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'train-slow' }));
    const job = await finished('train-slow');

    // Assess
    expect(job.TrainingJobStatus).toBe('Stopped');
    await expect(
      t.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'train-unknown' })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('stops a job at its MaxRuntimeInSeconds', async () => {
    // Act
    await t.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingRequest('train-timeout', echoUri, {
          HyperParameters: { sleep: '30' },
          StoppingCondition: { MaxRuntimeInSeconds: 1 },
        }),
      ),
    );
    const job = await finished('train-timeout');

    // Assess
    expect(job).toMatchObject({ TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxRuntimeExceeded' });
  });

  it('lists training jobs with filters, sort order and pagination', async () => {
    // Act
    const failed = await t.sagemaker.send(
      new ListTrainingJobsCommand({ StatusEquals: 'Failed', MaxResults: 100 }),
    );
    const firstPage = await t.sagemaker.send(
      new ListTrainingJobsCommand({
        NameContains: 'train-',
        SortBy: 'Name',
        SortOrder: 'Ascending',
        MaxResults: 2,
      }),
    );
    const secondPage = await t.sagemaker.send(
      new ListTrainingJobsCommand({
        NameContains: 'train-',
        SortBy: 'Name',
        SortOrder: 'Ascending',
        MaxResults: 2,
        NextToken: firstPage.NextToken,
      }),
    );
    const future = await t.sagemaker.send(
      new ListTrainingJobsCommand({ CreationTimeAfter: new Date(Date.now() + 60_000) }),
    );

    // Assess
    expect(failed.TrainingJobSummaries?.map((job) => job.TrainingJobName).sort()).toEqual([
      'train-broken-1',
      'train-no-image',
    ]);
    expect(firstPage.TrainingJobSummaries?.map((job) => job.TrainingJobName)).toEqual([
      'train-broken-1',
      'train-no-image',
    ]);
    expect(firstPage.NextToken).toBeDefined();
    expect(secondPage.TrainingJobSummaries?.map((job) => job.TrainingJobName)).toEqual([
      'train-ok-1',
      'train-slow',
    ]);
    expect(future.TrainingJobSummaries).toEqual([]);
  });

  it('runs a processing job with its inputs and outputs under /opt/ml/processing', async () => {
    // Act
    await t.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'eval-train-ok-1',
        RoleArn: ROLE,
        AppSpecification: { ImageUri: echoUri, ContainerArguments: ['evaluate'] },
        ProcessingResources: {
          ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 10 },
        },
        ProcessingInputs: [
          {
            InputName: 'model',
            S3Input: {
              S3Uri: 's3://ml-artifacts/models/train-ok-1/output/model.tar.gz',
              LocalPath: '/opt/ml/processing/input/model',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
            },
          },
          {
            InputName: 'data',
            S3Input: {
              S3Uri: 's3://ml-data/training',
              LocalPath: '/opt/ml/processing/input/data',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
            },
          },
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              S3Output: {
                S3Uri: 's3://ml-artifacts/evaluation/train-ok-1',
                LocalPath: '/opt/ml/processing/evaluation',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
        StoppingCondition: { MaxRuntimeInSeconds: 60 },
      }),
    );
    const job = await eventually<DescribeProcessingJobCommandOutput>(
      'the evaluation job to finish',
      async () => {
        const described = await t.sagemaker.send(
          new DescribeProcessingJobCommand({ ProcessingJobName: 'eval-train-ok-1' }),
        );
        return described.ProcessingJobStatus === 'InProgress' ? undefined : described;
      },
    );

    // Assess
    expect(job.ProcessingJobStatus).toBe('Completed');
    const evaluation = await t.s3.send(
      new GetObjectCommand({ Bucket: 'ml-artifacts', Key: 'evaluation/train-ok-1/evaluation.json' }),
    );
    expect(JSON.parse((await evaluation.Body?.transformToString()) ?? '{}')).toEqual({
      multiclass_classification_metrics: { accuracy: { value: 0.9 } },
      files: ['data/more/part 2.csv', 'data/part-1.csv', 'model/model.tar.gz'],
    });
    const listed = await t.sagemaker.send(new ListProcessingJobsCommand({ StatusEquals: 'Completed' }));
    expect(listed.ProcessingJobSummaries?.map((summary) => summary.ProcessingJobName)).toEqual([
      'eval-train-ok-1',
    ]);
    const event = t.stack.bus.recorded.find(
      (record) =>
        record.event['detail-type'] === 'SageMaker Processing Job State Change' &&
        record.event.detail.ProcessingJobStatus === 'Completed',
    );
    expect(event?.event.detail).toMatchObject({
      ProcessingJobName: 'eval-train-ok-1',
      ProcessingJobArn: job.ProcessingJobArn,
    });
  });

  it('fails a processing job with the image failure reason and rejects a duplicate name', async () => {
    // Prepare
    const request = {
      ProcessingJobName: 'eval-broken',
      RoleArn: ROLE,
      AppSpecification: { ImageUri: brokenUri, ContainerArguments: ['evaluate'] },
      ProcessingResources: {
        ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 10 },
      },
    };

    // Act
    await t.sagemaker.send(new CreateProcessingJobCommand(request));
    const job = await eventually('the processing job to finish', async () => {
      const described = await t.sagemaker.send(
        new DescribeProcessingJobCommand({ ProcessingJobName: 'eval-broken' }),
      );
      return described.ProcessingJobStatus === 'InProgress' ? undefined : described;
    });

    // Assess
    expect(job).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: ValueError: training data has no label column',
    });
    await expect(t.sagemaker.send(new CreateProcessingJobCommand(request))).rejects.toBeInstanceOf(
      ResourceInUse,
    );
  });
});
