import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeHandlerContract } from '@sagemaker-pipeline/testing/handler-contract';
import { main } from '../../src/handler.js';
import { sampleEvent } from '../events.js';

const sagemaker = mockClient(SageMakerClient);
const context = { functionName: 'triggerTraining', awsRequestId: 'req-1' } as Context;

describe('Handler: trigger-training', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('starts a training job for a push to the pipeline repository', async () => {
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });

    const result = await main(sampleEvent('ecr-push.json'), context);

    expect(result).toMatchObject({
      status: 'started',
      trainingJobName: expect.stringMatching(/^mlpipe-dev-train-/),
    });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });

  it('returns a validation error naming the missing field and makes no AWS call', async () => {
    const result = await main(sampleEvent('malformed-missing-repository.json'), context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'detail.repository-name' }] });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('returns a validation error for a missing digest and makes no AWS call', async () => {
    const event = sampleEvent<{ detail: Record<string, unknown> }>('ecr-push.json');
    delete event.detail['image-digest'];

    const result = await main(event, context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'detail.image-digest' }] });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('skips an image action not known today, naming it, and makes no AWS call', async () => {
    // Act
    const result = await main(sampleEvent('ecr-update-storage-class.json'), context);

    // Assess
    expect(result).toEqual({
      status: 'skipped',
      reason: 'image action UPDATE_STORAGE_CLASS starts no training',
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('skips a push whose result is not known today, naming it, and makes no AWS call', async () => {
    const event = sampleEvent<{ detail: Record<string, unknown> }>('ecr-push.json');
    event.detail.result = 'IN_PROGRESS';

    const result = await main(event, context);

    expect(result).toEqual({ status: 'skipped', reason: 'image push did not succeed (result IN_PROGRESS)' });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('starts a training job for a push whose image tag is null', async () => {
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const event = sampleEvent<{ detail: Record<string, unknown> }>('ecr-push.json');
    event.detail['image-tag'] = null;

    const result = await main(event, context);

    expect(result).toMatchObject({ status: 'started' });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });

  it('returns a failed result for ResourceLimitExceeded instead of rethrowing, so Lambda does not retry', async () => {
    const quota = Object.assign(
      new Error("The account-level service limit 'ml.m5.large for training job usage' is 0 Instances"),
      {
        name: 'ResourceLimitExceeded',
        $metadata: { httpStatusCode: 400 },
      },
    );
    sagemaker.on(CreateTrainingJobCommand).rejects(quota);

    const result = await main(sampleEvent('ecr-push.json'), context);

    expect(result).toEqual({
      status: 'failed',
      error: expect.stringMatching(/refused with ResourceLimitExceeded: .*then push the image again\.$/),
    });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });
});

describeHandlerContract({
  stage: 'trigger-training',
  main,
  load: () => import('../../src/handler.js'),
  mocks: [sagemaker],
  event: () => sampleEvent('ecr-push.json'),
  required: ['action-type', 'result', 'repository-name', 'image-digest'],
  foreign: { source: 'aws.s3' },
  throttled: { command: CreateTrainingJobCommand, mock: sagemaker },
  coldStart: { variable: 'SAGEMAKER_ROLE', error: 'Invalid configuration: SAGEMAKER_ROLE is required' },
});
