import {
  CreateProcessingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  ResourceInUse,
  ResourceNotFound,
} from '@aws-sdk/client-sagemaker';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import 'aws-sdk-client-mock-jest';
import { startEvaluation } from '../../src/start-evaluation.js';
import { config, deps, sagemaker, trainingEvent } from '../helpers/evaluate-fixtures.js';

const JOB = 'mlpipe-dev-train-226ba9db57e7';
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;
const MODEL = `s3://mlpipe-dev-000000000000-us-east-1/models/${JOB}/output/model.tar.gz`;
const RESULTS = 's3://mlpipe-dev-000000000000-us-east-1/evaluations';

/** What DescribeTrainingJob answers for the sample job (the fields the stage reads). */
const described = (
  overrides: Partial<DescribeTrainingJobResponse> = {},
): Partial<DescribeTrainingJobResponse> => ({
  TrainingJobName: JOB,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${JOB}`,
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  ModelArtifacts: { S3ModelArtifacts: MODEL },
  AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
  ...overrides,
});

const createInput = () => sagemaker.commandCalls(CreateProcessingJobCommand)[0]?.args[0].input;

describe('Function: startEvaluation', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('describes the training job and starts one evaluation job with the exact input when training completed', async () => {
    // Prepare
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker.on(CreateProcessingJobCommand).resolves({
      ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:processing-job/x',
    });

    // Act
    const result = await startEvaluation(trainingEvent(), deps);

    // Assess
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand).map((call) => call.args[0].input)).toEqual([
      { TrainingJobName: JOB },
    ]);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateProcessingJobCommand, 1);
    const input = createInput();
    expect(input).toEqual({
      ProcessingJobName: expect.stringMatching(/^mlpipe-dev-eval-[0-9a-f]{12}$/),
      RoleArn: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
      AppSpecification: { ImageUri: IMAGE, ContainerArguments: ['evaluate'] },
      ProcessingInputs: [
        {
          InputName: 'model',
          S3Input: {
            S3Uri: MODEL,
            LocalPath: '/opt/ml/processing/model',
            S3DataType: 'S3Prefix',
            S3InputMode: 'File',
            S3DataDistributionType: 'FullyReplicated',
          },
        },
        {
          InputName: 'evaluation-data',
          S3Input: {
            S3Uri: 's3://mlpipe-dev-000000000000-us-east-1/evaluation-data/',
            LocalPath: '/opt/ml/processing/evaluation',
            S3DataType: 'S3Prefix',
            S3InputMode: 'File',
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      ],
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'evaluation',
            S3Output: {
              S3Uri: `${RESULTS}/${JOB}`,
              LocalPath: '/opt/ml/processing/output',
              S3UploadMode: 'EndOfJob',
            },
          },
        ],
      },
      ProcessingResources: {
        ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Environment: {
        TRAINING_JOB_NAME: JOB,
        MODEL_DATA_URL: MODEL,
        IMAGE_URI: IMAGE,
        IMAGE_DIGEST: DIGEST,
      },
      Tags: [
        { Key: 'pipeline', Value: 'mlpipe-dev' },
        { Key: 'stage', Value: 'evaluate-model' },
        { Key: 'training-job', Value: JOB },
        { Key: 'image-digest', Value: DIGEST },
      ],
    });
    expect(result).toEqual({
      status: 'started',
      processingJobName: input?.ProcessingJobName,
      processingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:processing-job/x',
      trainingJobName: JOB,
      evaluationUri: `${RESULTS}/${JOB}`,
      imageUri: IMAGE,
    });
  });

  it('takes the artifact and image from DescribeTrainingJob, not from the event', async () => {
    const event = trainingEvent();
    event.detail.ModelArtifacts = { S3ModelArtifacts: 's3://elsewhere/model.tar.gz' };
    event.detail.AlgorithmSpecification = { TrainingImage: 'elsewhere/image:latest' };
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker.on(CreateProcessingJobCommand).resolves({});

    await startEvaluation(event, deps);

    expect(createInput()?.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe(MODEL);
    expect(createInput()?.AppSpecification?.ImageUri).toBe(IMAGE);
  });

  it('runs EVALUATION_IMAGE_URI when configured and keeps the training image as the model lineage', async () => {
    const evaluator = '123456789012.dkr.ecr.us-east-1.amazonaws.com/evaluator:3';
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker.on(CreateProcessingJobCommand).resolves({});

    const result = await startEvaluation(trainingEvent(), {
      ...deps,
      config: { ...config, EVALUATION_IMAGE_URI: evaluator },
    });

    expect(createInput()?.AppSpecification).toEqual({
      ImageUri: evaluator,
      ContainerArguments: ['evaluate'],
    });
    expect(createInput()?.Environment?.IMAGE_URI).toBe(IMAGE);
    expect(result).toMatchObject({ status: 'started', imageUri: evaluator });
  });

  it('uses the resources, runtime and locations of the configuration', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker.on(CreateProcessingJobCommand).resolves({});
    const custom = {
      ...config,
      EVALUATION_INSTANCE_TYPE: 'ml.c5.xlarge',
      EVALUATION_INSTANCE_COUNT: 2,
      EVALUATION_VOLUME_SIZE_GB: 50,
      EVALUATION_MAX_RUNTIME_SECONDS: 900,
      EVALUATION_DATA_URI: 's3://other-bucket/holdout',
      S3_EVALUATION_RESULTS_URI: 's3://other-bucket/results',
    };

    await startEvaluation(trainingEvent(), { ...deps, config: custom });

    const input = createInput();
    expect(input?.ProcessingResources).toEqual({
      ClusterConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 2, VolumeSizeInGB: 50 },
    });
    expect(input?.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 900 });
    expect(input?.ProcessingInputs?.[1]?.S3Input?.S3Uri).toBe('s3://other-bucket/holdout/');
    expect(input?.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri).toBe(
      `s3://other-bucket/results/${JOB}`,
    );
  });

  it('takes the digest from the image-digest tag when the image is referenced by tag, and leaves it out when unknown', async () => {
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves(
        described({ AlgorithmSpecification: { TrainingImage: 'repo/model:v1', TrainingInputMode: 'File' } }),
      );
    sagemaker.on(CreateProcessingJobCommand).resolves({});
    const untagged = trainingEvent();
    delete untagged.detail.Tags;

    await startEvaluation(trainingEvent(), deps);
    await startEvaluation(untagged, deps);

    const [tagged, bare] = sagemaker
      .commandCalls(CreateProcessingJobCommand)
      .map((call) => call.args[0].input);
    expect(tagged?.Environment?.IMAGE_DIGEST).toBe(DIGEST);
    expect(tagged?.Tags).toContainEqual({ Key: 'image-digest', Value: DIGEST });
    expect(bare?.Environment).toEqual({
      TRAINING_JOB_NAME: JOB,
      MODEL_DATA_URL: MODEL,
      IMAGE_URI: 'repo/model:v1',
    });
    expect(bare?.Tags?.map((tag) => tag.Key)).toEqual(['pipeline', 'stage', 'training-job']);
  });

  it('derives the same job name from a duplicate training event and reports the evaluation as already started', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker
      .on(CreateProcessingJobCommand)
      .resolvesOnce({ ProcessingJobArn: 'arn' })
      .rejects(new ResourceInUse({ message: 'Processing job names must be unique', $metadata: {} }));

    const first = await startEvaluation(trainingEvent(), deps);
    const second = await startEvaluation(trainingEvent(), deps);

    const names = sagemaker
      .commandCalls(CreateProcessingJobCommand)
      .map((call) => call.args[0].input.ProcessingJobName);
    expect(names[0]).toBe(names[1]);
    expect(first.status).toBe('started');
    expect(second).toEqual({
      status: 'already-started',
      processingJobName: names[0],
      trainingJobName: JOB,
      evaluationUri: `${RESULTS}/${JOB}`,
    });
  });

  it('gives another training job another evaluation job name, within 63 characters', async () => {
    const longName = 'mlpipe-dev-retrain-0123456789ab';
    sagemaker.on(DescribeTrainingJobCommand).resolves(described());
    sagemaker.on(CreateProcessingJobCommand).resolves({});
    const other = trainingEvent();
    other.detail.TrainingJobName = longName;

    await startEvaluation(trainingEvent(), deps);
    await startEvaluation(other, deps);

    const names = sagemaker
      .commandCalls(CreateProcessingJobCommand)
      .map((call) => call.args[0].input.ProcessingJobName ?? '');
    expect(names[1]).not.toBe(names[0]);
    for (const name of names) expect(name).toMatch(/^mlpipe-dev-eval-[0-9a-f]{12}$/);
  });

  it.each([
    ['training-job-failed.json', 'Failed', 'AlgorithmError: training data has no label column'],
    ['training-job-stopped.json', 'Stopped', null],
  ])('starts nothing and reports %s with the failure reason', async (name, status, reason) => {
    const result = await startEvaluation(trainingEvent(name), deps);

    expect(result).toEqual({
      status: 'training-failed',
      trainingJobName: JOB,
      trainingJobStatus: status,
      failureReason: reason,
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('skips a training job of another pipeline and sends nothing', async () => {
    const result = await startEvaluation(trainingEvent('other-pipeline.json'), deps);

    expect(result).toEqual({
      status: 'skipped',
      reason:
        'training job fraud-detector-train-0b1c2d3e4f5a is not of pipeline mlpipe-dev (its training jobs are named ' +
        'mlpipe-dev-train-<12 hex digits> or mlpipe-dev-retrain-<12 hex digits>)',
      trainingJobName: 'fraud-detector-train-0b1c2d3e4f5a',
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it.each([
    ['mlpipe-dev', 'mlpipe-dev-2-train-226ba9db57e7'],
    ['mlpipe-dev', 'mlpipe-dev-2-retrain-226ba9db57e7'],
    ['mlpipe-dev-2', 'mlpipe-dev-train-226ba9db57e7'],
    ['mlpipe-dev', 'mlpipe-dev-eval-226ba9db57e7'],
    ['mlpipe-dev', 'mlpipe-dev-train-x'],
    ['mlpipe-dev', 'mlpipe-dev-train-226ba9db57e7-2'],
  ])(
    'as pipeline %s, skips the training job %s, which is not exactly one of its names, and sends nothing',
    async (pipeline, job) => {
      // Prepare
      const event = trainingEvent();
      event.detail.TrainingJobName = job;
      event.detail.Tags = { ...event.detail.Tags, pipeline };

      // Act
      const result = await startEvaluation(event, {
        ...deps,
        config: { ...config, PIPELINE_NAME: pipeline },
      });

      // Assess
      expect(result).toEqual({
        status: 'skipped',
        reason: `training job ${job} is not of pipeline ${pipeline} (its training jobs are named ${pipeline}-train-<12 hex digits> or ${pipeline}-retrain-<12 hex digits>)`,
        trainingJobName: job,
      });
      expect(sagemaker.calls()).toHaveLength(0);
    },
  );

  it('evaluates a retraining job of the pipeline like a training job', async () => {
    // Prepare
    const job = 'mlpipe-dev-retrain-0123456789ab';
    sagemaker.on(DescribeTrainingJobCommand).resolves(described({ TrainingJobName: job }));
    sagemaker.on(CreateProcessingJobCommand).resolves({});
    const event = trainingEvent();
    event.detail.TrainingJobName = job;

    // Act
    const result = await startEvaluation(event, deps);

    // Assess
    expect(result).toMatchObject({ status: 'started', trainingJobName: job });
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand)[0]?.args[0].input).toEqual({
      TrainingJobName: job,
    });
  });

  it('skips a job whose name has our prefix but whose pipeline tag is another pipeline', async () => {
    const event = trainingEvent();
    event.detail.Tags = { pipeline: 'mlpipe-dev-shadow' };

    const result = await startEvaluation(event, deps);

    expect(result).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/pipeline=mlpipe-dev-shadow/),
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('skips a job that is still in progress', async () => {
    const event = trainingEvent();
    event.detail.TrainingJobStatus = 'InProgress';

    await expect(startEvaluation(event, deps)).resolves.toMatchObject({ status: 'skipped' });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it.each([
    [
      'ValidationException',
      Object.assign(new Error('Requested resource not found.'), { name: 'ValidationException' }),
    ],
    ['ResourceNotFound', new ResourceNotFound({ message: 'Training job not found', $metadata: {} })],
  ])('fails terminally, naming the job, when DescribeTrainingJob answers %s', async (_name, error) => {
    sagemaker.on(DescribeTrainingJobCommand).rejects(error);

    const run = startEvaluation(trainingEvent(), deps);

    await expect(run).rejects.toThrow(TerminalError);
    await expect(run).rejects.toThrow(`Training job ${JOB} cannot be described`);
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });

  it('fails terminally when the completed job has no model artifact, and starts nothing', async () => {
    sagemaker
      .on(DescribeTrainingJobCommand)
      .resolves(described({ ModelArtifacts: { S3ModelArtifacts: '' } }));

    await expect(startEvaluation(trainingEvent(), deps)).rejects.toThrow(
      `Training job ${JOB} is Completed but has no model artifact`,
    );
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });

  it('fails terminally when the job used no training image', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(described({ AlgorithmSpecification: {} as never }));

    await expect(startEvaluation(trainingEvent(), deps)).rejects.toThrow(TerminalError);
    expect(sagemaker).not.toHaveReceivedCommand(CreateProcessingJobCommand);
  });

  it('lets a throttled DescribeTrainingJob and other CreateProcessingJob errors through for the handler to classify', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sagemaker.on(DescribeTrainingJobCommand).rejectsOnce(throttled).resolves(described());
    sagemaker
      .on(CreateProcessingJobCommand)
      .rejects(Object.assign(new Error('Limit'), { name: 'ResourceLimitExceeded' }));

    await expect(startEvaluation(trainingEvent(), deps)).rejects.toThrow('Rate exceeded');
    await expect(startEvaluation(trainingEvent(), deps)).rejects.toThrow('Limit');
  });
});
