import {
  CreateProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import { NULLABLE_DETAIL_FIELDS } from '@sagemaker-pipeline/testing/events';
import { describeHandlerContract } from '@sagemaker-pipeline/testing/handler-contract';
import { main } from '../../src/handler.js';
import { sampleEvent } from '../events.js';
import { sagemaker } from '../helpers/evaluate-fixtures.js';

const context = { functionName: 'evaluateModel', awsRequestId: 'req-1' } as Context;
const JOB = 'mlpipe-dev-train-226ba9db57e7';

describe('Handler: evaluate-model', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('starts an evaluation job for a completed training job of the pipeline', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves({
      TrainingJobName: JOB,
      TrainingJobStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: `s3://b/models/${JOB}/output/model.tar.gz` },
      AlgorithmSpecification: { TrainingImage: 'repo/image:v1', TrainingInputMode: 'File' },
    } as never);
    sagemaker.on(CreateProcessingJobCommand).resolves({ ProcessingJobArn: 'arn' });

    const result = await main(sampleEvent('training-job-completed.json'), context);

    expect(result).toMatchObject({
      status: 'started',
      processingJobName: expect.stringMatching(/^mlpipe-dev-eval-/),
      trainingJobName: JOB,
    });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateProcessingJobCommand, 1);
  });

  it('reports a failed training job with its reason and makes no AWS call', async () => {
    const result = await main(sampleEvent('training-job-failed.json'), context);

    expect(result).toEqual({
      status: 'training-failed',
      alert: `[mlpipe-dev] Training job ${JOB} failed`,
      trainingJobName: JOB,
      trainingJobStatus: 'Failed',
      failureReason: 'AlgorithmError: training data has no label column',
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('reports a failed training job whose optional fields are null, with no reason, and makes no AWS call', async () => {
    // Act
    const result = await main(sampleEvent('training-job-failed-nulls.json'), context);

    // Assess
    expect(result).toEqual({
      status: 'training-failed',
      alert: `[mlpipe-dev] Training job ${JOB} failed`,
      trainingJobName: JOB,
      trainingJobStatus: 'Failed',
      failureReason: null,
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it.each(NULLABLE_DETAIL_FIELDS.trainingJob)(
    'starts an evaluation job for a completed training job whose %s is null',
    async (field) => {
      // Prepare
      sagemaker.on(DescribeTrainingJobCommand).resolves({
        ModelArtifacts: { S3ModelArtifacts: `s3://b/models/${JOB}/output/model.tar.gz` },
        AlgorithmSpecification: { TrainingImage: 'repo/image:v1', TrainingInputMode: 'File' },
      } as never);
      sagemaker.on(CreateProcessingJobCommand).resolves({ ProcessingJobArn: 'arn' });
      const event = sampleEvent<{ detail: Record<string, unknown> }>('training-job-completed.json');
      event.detail[field] = null;

      // Act
      const result = await main(event, context);

      // Assess
      expect(result).toMatchObject({ status: 'started', trainingJobName: JOB });
      expect(sagemaker).toHaveReceivedCommandTimes(CreateProcessingJobCommand, 1);
    },
  );

  it('skips a training job of another pipeline and makes no AWS call', async () => {
    const result = await main(sampleEvent('other-pipeline.json'), context);

    expect(result).toMatchObject({ status: 'skipped', trainingJobName: 'fraud-detector-train-0b1c2d3e4f5a' });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('returns a validation error naming the missing job name and makes no AWS call', async () => {
    const result = await main(sampleEvent('malformed-missing-job-name.json'), context);

    expect(result).toMatchObject({ status: 'invalid', issues: [{ path: 'detail.TrainingJobName' }] });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('sweeps on its schedule, starting the evaluation that a lost event should have started', async () => {
    // Prepare
    sagemaker.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        {
          TrainingJobName: JOB,
          TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${JOB}`,
          TrainingJobStatus: 'Completed',
          CreationTime: new Date('2026-11-16T01:00:00Z'),
          TrainingEndTime: new Date('2026-11-16T02:00:00Z'),
        },
      ],
    });
    sagemaker.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
    sagemaker.on(DescribeTrainingJobCommand).resolves({
      ModelArtifacts: { S3ModelArtifacts: `s3://b/models/${JOB}/output/model.tar.gz` },
      AlgorithmSpecification: { TrainingImage: 'repo/image:v1', TrainingInputMode: 'File' },
    } as never);
    sagemaker.on(CreateProcessingJobCommand).resolves({ ProcessingJobArn: 'arn' });

    // Act
    const result = await main(sampleEvent('scheduled-sweep.json'), context);

    // Assess
    expect(result).toEqual({
      status: 'swept',
      window: { from: '2026-11-15T03:00:00.000Z', to: '2026-11-16T03:00:00.000Z' },
      checked: 1,
      missing: 1,
      started: [expect.stringMatching(/^mlpipe-dev-eval-[0-9a-f]{12}$/)],
      alreadyStarted: [],
      failed: [],
      apiCalls: 4,
    });
  });

  it('reports a training job that cannot be described as failed, without retry', async () => {
    sagemaker
      .on(DescribeTrainingJobCommand)
      .rejects(Object.assign(new Error('Requested resource not found.'), { name: 'ValidationException' }));

    const result = await main(sampleEvent('training-job-completed.json'), context);

    expect(result).toEqual({
      status: 'failed',
      error: expect.stringContaining(`Training job ${JOB} cannot be described`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });
});

describeHandlerContract({
  stage: 'evaluate-model',
  main,
  load: () => import('../../src/handler.js'),
  mocks: [sagemaker],
  event: () => sampleEvent('training-job-completed.json'),
  sweep: () => sampleEvent('scheduled-sweep.json'),
  required: ['TrainingJobName', 'TrainingJobArn', 'TrainingJobStatus'],
  foreign: { 'detail-type': 'SageMaker Endpoint State Change' },
  throttled: {
    command: CreateProcessingJobCommand,
    mock: sagemaker,
    given: () =>
      sagemaker.on(DescribeTrainingJobCommand).resolves({
        ModelArtifacts: { S3ModelArtifacts: 's3://b/model.tar.gz' },
        AlgorithmSpecification: { TrainingImage: 'repo/image:v1', TrainingInputMode: 'File' },
      } as never),
  },
  coldStart: {
    variable: 'EVALUATION_DATA_URI',
    error: 'Invalid configuration: EVALUATION_DATA_URI is required',
  },
});
