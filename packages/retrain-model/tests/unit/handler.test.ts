import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeHandlerContract } from '@sagemaker-pipeline/testing/handler-contract';
import { main } from '../../src/handler.js';
import { sampleEvent } from '../events.js';
import { sagemaker } from '../helpers/retrain-fixtures.js';

const s3 = mockClient(S3Client);
const context = { functionName: 'retrainModel', awsRequestId: 'req-1' } as Context;
const IMAGE =
  '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';

describe('Handler: retrain-model', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
  });

  it('starts one job for the sample batch and answers with an empty partial batch response', async () => {
    sagemaker.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        { TrainingJobName: 'mlpipe-dev-train-226ba9db57e7', TrainingJobStatus: 'Completed' },
      ],
    } as never);
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE } } as never);
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });

    const result = await main(sampleEvent('sqs-new-training-data.json'), context);

    expect(result).toMatchObject({
      status: 'started',
      trainingJobName: expect.stringMatching(/^mlpipe-dev-retrain-[0-9a-f]{12}$/),
      objects: 2,
      newestKey: 'training-data/new batch/café +1 100%.csv',
      batchItemFailures: [],
    });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });

  it.each([
    [
      'sqs-s3-test-event.json',
      /in 1 message\(s\): s3:TestEvent for bucket mlpipe-dev-000000000000-us-east-1$/,
    ],
    [
      'sqs-foreign-objects.json',
      /in 6 message\(s\): s3:TestEvent .*; evaluation-data\/holdout.csv is outside/,
    ],
  ])('skips %s with the reason and makes no AWS call', async (name, reason) => {
    const result = await main(sampleEvent(name), context);

    expect(result).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(reason),
      objects: 0,
      batchItemFailures: [],
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('reports a body that is no S3 message as a batch item failure', async () => {
    const result = await main(sampleEvent('sqs-not-s3-body.json'), context);

    expect(result).toMatchObject({
      status: 'skipped',
      batchItemFailures: [{ itemIdentifier: '3f2e1d0c-9b8a-4765-8432-10fedcba9801' }],
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('returns a validation error naming the missing field and makes no AWS call', async () => {
    const result = await main(sampleEvent('malformed-missing-body.json'), context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'Records.0.body' }] });
    expect(result).not.toHaveProperty('batchItemFailures');
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('refuses an S3 notification that did not come through SQS as invalid', async () => {
    const direct = JSON.parse(sampleEvent('sqs-new-training-data.json').Records[1]?.body ?? '{}');

    await expect(main(direct, context)).resolves.toMatchObject({ status: 'invalid' });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('sweeps on its schedule, retraining on data that no completed job covers', async () => {
    // Prepare
    sagemaker.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        {
          TrainingJobName: 'mlpipe-dev-train-226ba9db57e7',
          TrainingJobStatus: 'Completed',
          CreationTime: new Date('2026-11-16T01:00:00Z'),
        },
      ],
    } as never);
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves({ AlgorithmSpecification: { TrainingImage: IMAGE } } as never);
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        {
          Key: 'training-data/new.csv',
          LastModified: new Date('2026-11-16T02:00:00Z'),
          ETag: '"e"',
          Size: 10,
        },
      ],
    });

    // Act
    const result = await main(sampleEvent('scheduled-sweep.json'), context);

    // Assess
    expect(result).toMatchObject({
      status: 'swept',
      outcome: 'started',
      trainingJobName: expect.stringMatching(/^mlpipe-dev-retrain-[0-9a-f]{12}$/),
      uncovered: 1,
    });
    expect(result).not.toHaveProperty('batchItemFailures');
    expect(sagemaker).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
  });

  it('refuses an EventBridge event that is not its schedule as invalid, naming the detail-type, without any AWS call', async () => {
    const event = { ...sampleEvent<object>('scheduled-sweep.json'), 'detail-type': 'Object Created' };

    await expect(main(event, context)).resolves.toMatchObject({
      status: 'invalid',
      issues: [{ path: 'detail-type' }],
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describeHandlerContract({
  stage: 'retrain-model',
  main,
  load: () => import('../../src/handler.js'),
  mocks: [sagemaker, s3],
  event: () => sampleEvent('sqs-new-training-data.json'),
  throttled: { command: ListTrainingJobsCommand, mock: sagemaker },
  coldStart: {
    variable: 'MODEL_IMAGE_URI',
    value: 'not an image',
    error: 'Invalid configuration: MODEL_IMAGE_URI must be a container image URI',
  },
});
