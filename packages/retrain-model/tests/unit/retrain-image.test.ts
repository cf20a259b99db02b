import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import 'aws-sdk-client-mock-jest';
import { batchId, retrain, retrainJobName } from '../../src/retrain.js';
import { objectBatch, sqsRecord } from '../events.js';
import {
  config,
  created,
  DIGEST,
  deps,
  FIRST_JOB,
  IMAGE,
  objectKeys,
  pipelineTrainedOnce,
  sagemaker,
  summary,
} from '../helpers/retrain-fixtures.js';

describe('Function: retrain, the image it trains with, other pipelines and bad records', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('fails with a clear configuration error, keeping the records for redelivery, when no image exists anywhere', async () => {
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
    const event = objectBatch(objectKeys(5, 3), 'no-image');

    const result = await retrain(event, deps);

    expect(result).toEqual({
      status: 'failed',
      error:
        'No training image for pipeline mlpipe-dev: it has no training job yet and MODEL_IMAGE_URI is not set. ' +
        'Set MODEL_IMAGE_URI (serverless.yml param modelImageUri) or push an image to the pipeline repository, ' +
        'which starts a first training job.',
      objects: 3,
      batchItemFailures: [0, 1, 2].map((i) => ({ itemIdentifier: `no-image-${i}` })),
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });

  it('trains with MODEL_IMAGE_URI when the pipeline has no training job yet', async () => {
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const withImage = {
      ...config,
      MODEL_IMAGE_URI: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev:v1',
    };

    const result = await retrain(objectBatch(objectKeys(6, 2)), { ...deps, config: withImage });

    expect(result).toMatchObject({
      status: 'started',
      imageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev:v1',
    });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
    expect(created()[0]?.Tags?.map((tag) => tag.Key)).not.toContain('image-digest');
  });

  it.each([
    ['ValidationException', 'Requested resource not found.'],
    ['ResourceNotFound', 'Training job not found'],
  ])('falls back to MODEL_IMAGE_URI when the newest job cannot be described (%s)', async (name, message) => {
    sagemaker.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [summary(FIRST_JOB, 'Failed')] });
    sagemaker.on(DescribeTrainingJobCommand).rejects(Object.assign(new Error(message), { name }));
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const withImage = { ...config, MODEL_IMAGE_URI: 'registry.example.com/model:v1' };

    const result = await retrain(objectBatch(objectKeys(7, 1)), { ...deps, config: withImage });

    expect(result).toMatchObject({ status: 'started', imageUri: 'registry.example.com/model:v1' });
  });

  it('takes the image of the newest job whose name starts with the pipeline prefix, not one that merely contains it', async () => {
    sagemaker.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        summary('copy-of-mlpipe-dev-train-1', 'InProgress'),
        summary(FIRST_JOB, 'Completed'),
      ],
    });
    sagemaker
      .on(DescribeTrainingJobCommand, { TrainingJobName: FIRST_JOB })
      .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' } });
    sagemaker.on(CreateTrainingJobCommand).resolves({});

    const result = await retrain(objectBatch(objectKeys(8, 1)), deps);

    expect(result).toMatchObject({ status: 'started', imageUri: IMAGE });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: FIRST_JOB });
  });

  describe('when another pipeline whose name extends this one (mlpipe-dev-2) has jobs', () => {
    // ListTrainingJobs' NameContains 'mlpipe-dev-' lists them too, newest first.
    const OTHER_IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev-2@${DIGEST}`;
    const otherJob = (kind: string, status: TrainingJobSummary['TrainingJobStatus']) => ({
      ...summary(`mlpipe-dev-2-${kind}-0123456789ab`, status),
      CreationTime: new Date('2026-11-16T11:00:00Z'),
    });

    it("is not deferred by the other pipeline's running job and takes its own newest job's image", async () => {
      // Prepare
      pipelineTrainedOnce();
      sagemaker.on(ListTrainingJobsCommand).resolves({
        TrainingJobSummaries: [
          otherJob('retrain', 'InProgress'),
          otherJob('train', 'Completed'),
          summary(FIRST_JOB, 'Completed'),
        ],
      });
      sagemaker
        .on(DescribeTrainingJobCommand, { TrainingJobName: 'mlpipe-dev-2-retrain-0123456789ab' })
        .resolves({ AlgorithmSpecification: { TrainingImage: OTHER_IMAGE, TrainingInputMode: 'File' } });

      // Act
      const result = await retrain(objectBatch(objectKeys(9, 3), 'ours'), deps);

      // Assess
      expect(result).toMatchObject({ status: 'started', imageUri: IMAGE, batchItemFailures: [] });
      expect(sagemaker.commandCalls(DescribeTrainingJobCommand).map((call) => call.args[0].input)).toEqual([
        { TrainingJobName: FIRST_JOB },
      ]);
      expect(created()).toEqual([
        expect.objectContaining({
          TrainingJobName: expect.stringMatching(/^mlpipe-dev-retrain-[0-9a-f]{12}$/),
          AlgorithmSpecification: expect.objectContaining({ TrainingImage: IMAGE }),
        }),
      ]);
    });

    it("does not count the other pipeline's completed job as having trained on this pipeline's data", async () => {
      // Prepare: the other pipeline's job completed at 11:00, after the objects were written (10:07)
      pipelineTrainedOnce();
      sagemaker.on(ListTrainingJobsCommand).resolves({
        TrainingJobSummaries: [otherJob('train', 'Completed'), summary(FIRST_JOB, 'Completed')],
      });

      // Act
      const result = await retrain(objectBatch(objectKeys(7, 2), 'not-covered'), deps);

      // Assess
      expect(result.status).toBe('started');
      expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
    });

    it('falls back to MODEL_IMAGE_URI, not the other pipeline image, when this pipeline has no job yet', async () => {
      // Prepare
      sagemaker.on(ListTrainingJobsCommand).resolves({
        TrainingJobSummaries: [otherJob('retrain', 'InProgress'), otherJob('train', 'Completed')],
      });
      sagemaker.on(CreateTrainingJobCommand).resolves({});
      const withImage = { ...config, MODEL_IMAGE_URI: 'registry.example.com/model:v1' };

      // Act
      const result = await retrain(objectBatch(objectKeys(9, 1)), { ...deps, config: withImage });

      // Assess
      expect(result).toMatchObject({ status: 'started', imageUri: 'registry.example.com/model:v1' });
      expect(sagemaker).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
    });

    it("ignores names of this pipeline's prefix that are not exactly its train- or retrain- names", async () => {
      // Prepare
      pipelineTrainedOnce();
      sagemaker.on(ListTrainingJobsCommand).resolves({
        TrainingJobSummaries: [
          summary('mlpipe-dev-train-manual', 'InProgress'),
          summary('mlpipe-dev-eval-0123456789ab', 'InProgress'),
          summary(FIRST_JOB, 'Completed'),
        ],
      });

      // Act
      const result = await retrain(objectBatch(objectKeys(9, 1)), deps);

      // Assess
      expect(result).toMatchObject({ status: 'started', imageUri: IMAGE });
    });
  });

  it('reports a body that is no S3 message as failed, so it ends in the dead-letter queue, and trains on the rest', async () => {
    pipelineTrainedOnce();
    const event = {
      Records: [sqsRecord('garbage', '{"hello":"world"}'), ...objectBatch(objectKeys(9, 2), 'good').Records],
    };

    const result = await retrain(event, deps);

    expect(result).toMatchObject({
      status: 'started',
      objects: 2,
      batchItemFailures: [{ itemIdentifier: 'garbage' }],
      rejected: [{ messageId: 'garbage', error: expect.stringMatching(/^not an S3 notification/) }],
    });
    expect(created()[0]?.TrainingJobName).toBe(retrainJobName('mlpipe-dev', batchId(['good-0', 'good-1'])));
  });

  it('lets a throttled ListTrainingJobs through for the handler to rethrow, so the whole batch comes back', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $retryable: {},
    });
    sagemaker.on(ListTrainingJobsCommand).rejects(throttled);

    await expect(retrain(objectBatch(objectKeys(0, 1)), deps)).rejects.toThrow('Rate exceeded');
    expect(sagemaker).not.toHaveReceivedCommand(CreateTrainingJobCommand);
  });
});
