import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeProcessingJobCommand,
  ListProcessingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import { describeHandlerContract } from '@sagemaker-pipeline/testing/handler-contract';
import { main } from '../../src/handler.js';
import { sampleEvent } from '../events.js';
import {
  givenAPassingModel,
  JOB,
  s3,
  sagemaker,
  sweepOfTheDay,
  useFreshMocks,
} from '../helpers/register-fixtures.js';

const context = { functionName: 'registerModel', awsRequestId: 'req-1' } as Context;

describe('Handler: register-model', () => {
  useFreshMocks();

  it('registers a model whose evaluation passes the gate', async () => {
    givenAPassingModel();

    const result = await main(sampleEvent('evaluation-completed.json'), context);

    expect(result).toMatchObject({ status: 'registered', version: 1, approval: 'Approved' });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateModelPackageCommand, 1);
  });

  it('sweeps on its schedule, registering the model of an evaluation whose event was lost', async () => {
    // Prepare
    const { detail } = sampleEvent<{ detail: Record<string, unknown> }>('evaluation-completed.json');
    sagemaker.on(ListProcessingJobsCommand).resolves({
      ProcessingJobSummaries: [
        {
          ProcessingJobName: JOB,
          ProcessingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${JOB}`,
          ProcessingJobStatus: 'Completed',
          CreationTime: new Date('2026-11-16T02:00:00Z'),
        },
      ],
    });
    sagemaker.on(DescribeProcessingJobCommand).resolves({
      ...detail,
      CreationTime: new Date('2026-11-16T02:00:00Z'),
      Tags: undefined,
    } as never);
    givenAPassingModel();

    // Act
    const result = await main(sampleEvent('scheduled-sweep.json'), context);

    // Assess
    expect(result).toEqual(sweepOfTheDay({ checked: 1, missing: 1, registered: [JOB], apiCalls: 7 }));
  });

  it('reports a failed evaluation job as failed, naming the job, without any AWS call', async () => {
    const result = await main(sampleEvent('evaluation-failed.json'), context);

    expect(result).toEqual({
      status: 'failed',
      error: `Evaluation job ${JOB} Failed: AlgorithmError: evaluation data has no label column; nothing registered`,
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it.each([
    [{ FailureReason: null }, "KeyError: 'label'"],
    [{ FailureReason: null, ExitMessage: null }, 'no failure reason reported'],
  ])('reports a failed evaluation job with %j by what it has, without any AWS call', async (nulls, why) => {
    // Prepare
    const event = sampleEvent<{ detail: Record<string, unknown> }>('evaluation-failed.json');
    Object.assign(event.detail, nulls);

    // Act
    const result = await main(event, context);

    // Assess
    expect(result).toEqual({
      status: 'failed',
      error: `Evaluation job ${JOB} Failed: ${why}; nothing registered`,
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it.each(['FailureReason', 'ExitMessage', 'ProcessingInputs', 'Tags'])(
    'registers a model whose completed evaluation job has %s null',
    async (field) => {
      // Prepare
      givenAPassingModel();
      const event = sampleEvent<{ detail: Record<string, unknown> }>('evaluation-completed.json');
      event.detail[field] = null;

      // Act
      const result = await main(event, context);

      // Assess
      expect(result).toMatchObject({ status: 'registered', version: 1 });
      expect(sagemaker).toHaveReceivedCommandTimes(CreateModelPackageCommand, 1);
    },
  );

  it('reports a null ProcessingOutputConfig like a missing one: failed, naming the output, nothing read', async () => {
    const event = sampleEvent<{ detail: Record<string, unknown> }>('evaluation-completed.json');
    event.detail.ProcessingOutputConfig = null;

    const result = await main(event, context);

    expect(result).toEqual({
      status: 'failed',
      error: `Evaluation job ${JOB} has no "evaluation" output in its ProcessingOutputConfig; nothing registered`,
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('reports a missing evaluation.json as failed and registers nothing', async () => {
    const result = await main(sampleEvent('evaluation-completed.json'), context);

    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('evaluation.json is missing'),
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('rethrows an S3 server fault so Lambda retries the event', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      }),
    );

    await expect(main(sampleEvent('evaluation-completed.json'), context)).rejects.toThrow(
      'We encountered an internal error.',
    );
  });

  it('skips an evaluation job of another pipeline and makes no AWS call', async () => {
    const result = await main(sampleEvent('other-pipeline.json'), context);

    expect(result).toMatchObject({
      status: 'skipped',
      evaluationJobName: 'fraud-detector-eval-3a73f22133f5',
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('returns a validation error naming the missing status and makes no AWS call', async () => {
    const result = await main(sampleEvent('malformed-missing-status.json'), context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'detail.ProcessingJobStatus' }] });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describeHandlerContract({
  stage: 'register-model',
  main,
  load: () => import('../../src/handler.js'),
  mocks: [sagemaker, s3],
  event: () => sampleEvent('evaluation-completed.json'),
  sweep: () => sampleEvent('scheduled-sweep.json'),
  required: ['ProcessingJobName', 'ProcessingJobArn', 'ProcessingJobStatus'],
  coldStart: {
    variable: 'METRIC_THRESHOLD',
    value: 'high',
    error: 'Invalid configuration: METRIC_THRESHOLD must be a number such as 0.8',
  },
});
