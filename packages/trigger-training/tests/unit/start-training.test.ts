import { CreateTrainingJobCommand, ResourceInUse, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import { type EcrImageActionEvent, EcrImageActionEventSchema } from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { triggerTrainingEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';
import { startTraining } from '../../src/trigger-training.js';
import { sampleEvent } from '../events.js';

const sagemaker = mockClient(SageMakerClient);
const config = loadConfig(triggerTrainingEnv);
const deps = { sagemaker: new SageMakerClient({}), config };
const push = (name = 'ecr-push.json') =>
  v.parse(EcrImageActionEventSchema, sampleEvent(name)) as EcrImageActionEvent;

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;

describe('Function: startTraining', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('starts one training job on the pushed image by digest, with the exact input', async () => {
    // Prepare
    sagemaker
      .on(CreateTrainingJobCommand)
      .resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x' });

    // Act
    const result = await startTraining(push(), deps);

    // Assess
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
    const input = sagemaker.commandCalls(CreateTrainingJobCommand)[0]?.args[0].input;
    expect(input).toEqual({
      TrainingJobName: expect.stringMatching(/^mlpipe-dev-train-[0-9a-f]{12}$/),
      RoleArn: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      HyperParameters: {},
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: 's3://mlpipe-dev-000000000000-us-east-1/training-data/',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://mlpipe-dev-000000000000-us-east-1/models' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Tags: [
        { Key: 'pipeline', Value: 'mlpipe-dev' },
        { Key: 'stage', Value: 'trigger-training' },
        { Key: 'image-digest', Value: DIGEST },
        { Key: 'image-tag', Value: 'latest' },
        { Key: 'repository', Value: 'mlpipe-dev' },
        { Key: 'trigger-event', Value: '13cde686-328b-6117-af20-0e5566167482' },
      ],
    });
    expect(result).toEqual({
      status: 'started',
      trainingJobName: input?.TrainingJobName,
      trainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x',
      imageUri: IMAGE,
    });
  });

  it('derives the same job name from a duplicate delivery and reports the job as already started', async () => {
    sagemaker
      .on(CreateTrainingJobCommand)
      .resolvesOnce({ TrainingJobArn: 'arn' })
      .rejects(new ResourceInUse({ message: 'Training job names must be unique', $metadata: {} }));

    const first = await startTraining(push(), deps);
    const second = await startTraining(push(), deps);

    const names = sagemaker
      .commandCalls(CreateTrainingJobCommand)
      .map((call) => call.args[0].input.TrainingJobName);
    expect(names[0]).toBe(names[1]);
    expect(first.status).toBe('started');
    expect(second).toEqual({ status: 'already-started', trainingJobName: names[0], imageUri: IMAGE });
  });

  it('gives the same job to the same image pushed under another tag, and another job to another image', async () => {
    sagemaker.on(CreateTrainingJobCommand).resolves({});
    const retagged = push();
    retagged.id = 'another-event-id';
    retagged.detail['image-tag'] = 'v2';
    const other = push();
    other.detail['image-digest'] = `sha256:${'a'.repeat(64)}`;

    await startTraining(push(), deps);
    await startTraining(retagged, deps);
    await startTraining(other, deps);

    const names = sagemaker
      .commandCalls(CreateTrainingJobCommand)
      .map((call) => call.args[0].input.TrainingJobName);
    expect(names[0]).toBe(names[1]);
    expect(names[2]).not.toBe(names[0]);
  });

  it.each([
    ['other-repository.json', /repository another-team-repository; this pipeline trains from mlpipe-dev/],
    ['ecr-delete.json', /image action DELETE starts no training/],
    ['ecr-push-failed.json', /image push did not succeed \(result FAILURE\)/],
    ['ecr-update-storage-class.json', /image action UPDATE_STORAGE_CLASS starts no training/],
  ])('skips %s with the reason and sends nothing', async (name, reason) => {
    const result = await startTraining(push(name), deps);

    expect(result).toEqual({ status: 'skipped', reason: expect.stringMatching(reason) });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it.each([
    ['action-type', 'REPLICATE', /image action REPLICATE starts no training/],
    ['result', 'IN_PROGRESS', /image push did not succeed \(result IN_PROGRESS\)/],
  ])('skips a push whose %s is %s, not known today, naming it', async (field, value, reason) => {
    // Prepare
    const event = push();
    event.detail[field as 'action-type' | 'result'] = value;

    // Act
    const result = await startTraining(event, deps);

    // Assess
    expect(result).toEqual({ status: 'skipped', reason: expect.stringMatching(reason) });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('starts the same job when the image tag is null, with no image-tag tag', async () => {
    // Prepare
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const untagged = sampleEvent<{ detail: Record<string, unknown> }>('ecr-push.json');
    untagged.detail['image-tag'] = null;

    // Act
    const result = await startTraining(v.parse(EcrImageActionEventSchema, untagged), deps);
    await startTraining(push(), deps);

    // Assess
    const [first, second] = sagemaker
      .commandCalls(CreateTrainingJobCommand)
      .map((call) => call.args[0].input);
    expect(result.status).toBe('started');
    expect(first?.TrainingJobName).toBe(second?.TrainingJobName);
    expect(first?.Tags?.map((tag) => tag.Key)).not.toContain('image-tag');
  });

  it('lets other SageMaker errors through for the handler to classify', async () => {
    const internal = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalFailure',
    });
    sagemaker.on(CreateTrainingJobCommand).rejects(internal);

    await expect(startTraining(push(), deps)).rejects.toBe(internal);
  });

  it('reports ResourceLimitExceeded as a terminal failure naming the job, the quota and what to do', async () => {
    // Prepare
    const quota =
      "The account-level service limit 'ml.m5.large for training job usage' is 0 Instances, with current utilization of 0 Instances and a request delta of 1 Instances.";
    sagemaker.on(CreateTrainingJobCommand).rejects(
      Object.assign(new Error(quota), {
        name: 'ResourceLimitExceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const error = await startTraining(push(), deps).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as Error).message).toMatch(
      /^CreateTrainingJob mlpipe-dev-train-[0-9a-f]{12} refused with ResourceLimitExceeded: The account-level service limit 'ml.m5.large for training job usage' is 0 Instances.* No training job was created: raise the quota \(AWS Service Quotas\) or wait for running jobs to end, then push the image again\.$/,
    );
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });
});
