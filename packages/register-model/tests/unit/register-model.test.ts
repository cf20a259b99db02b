import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  type DescribeModelPackageOutput,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { loadConfig, type RegisterModelConfig, registerModelEnv } from '@sagemaker-pipeline/shared/config';
import { isRetryable, TerminalError } from '@sagemaker-pipeline/shared/errors';
import {
  type ProcessingJobStateChangeEvent,
  ProcessingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { clientToken, registerModel } from '../../src/register-model.js';
import { sampleEvent } from '../events.js';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const config = loadConfig(registerModelEnv);
const depsWith = (overrides: Partial<RegisterModelConfig> = {}) => ({
  sagemaker: new SageMakerClient({}),
  s3: new S3Client({}),
  config: { ...config, ...overrides },
});
const deps = depsWith();
const evaluationEvent = (name = 'evaluation-completed.json') =>
  v.parse(ProcessingJobStateChangeEventSchema, sampleEvent(name)) as ProcessingJobStateChangeEvent;

const BUCKET = 'mlpipe-dev-000000000000-us-east-1';
const TRAINING_JOB = 'mlpipe-dev-train-226ba9db57e7';
const JOB = 'mlpipe-dev-eval-93df12b17e33';
const KEY = `evaluations/${TRAINING_JOB}/evaluation.json`;
const DECISION_KEY = `evaluations/${TRAINING_JOB}/decision.json`;
const EVALUATION_URI = `s3://${BUCKET}/${KEY}`;
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;
const MODEL = `s3://${BUCKET}/models/${TRAINING_JOB}/output/model.tar.gz`;
const ACCURACY = 'multiclass_classification_metrics.accuracy.value';
const GROUP_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev';
const NEW_ARN = `${GROUP_ARN}/4`;

const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];
const accuracyFile = (value: unknown) =>
  JSON.stringify({ multiclass_classification_metrics: { accuracy: { value, standard_deviation: 0.01 } } });

function givenEvaluation(text: string, key = KEY): void {
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key }).resolves({ Body: body(text) });
}

interface ChampionSpec {
  value?: string;
  path?: string;
  evaluationJob?: string;
  statistics?: string;
  version?: number;
}

function givenChampion(spec?: ChampionSpec): void {
  if (!spec) {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    return;
  }
  const version = spec.version ?? 3;
  const arn = `${GROUP_ARN}/${version}`;
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [
      {
        ModelPackageArn: arn,
        ModelPackageGroupName: 'mlpipe-dev',
        ModelPackageVersion: version,
        ModelApprovalStatus: 'Approved',
        ModelPackageStatus: 'Completed',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
      },
    ],
  });
  const described: Partial<DescribeModelPackageOutput> = {
    ModelPackageArn: arn,
    ModelPackageGroupName: 'mlpipe-dev',
    ModelPackageVersion: version,
    ModelApprovalStatus: 'Approved',
    CustomerMetadataProperties: {
      ...(spec.path !== '' ? { 'metric-path': spec.path ?? ACCURACY } : {}),
      ...(spec.value !== undefined ? { 'metric-value': spec.value } : {}),
      'evaluation-job': spec.evaluationJob ?? 'mlpipe-dev-eval-000000000003',
    },
    ...(spec.statistics
      ? {
          ModelMetrics: {
            ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: spec.statistics } },
          },
        }
      : {}),
  };
  sagemaker.on(DescribeModelPackageCommand).resolves(described);
}

const createInput = () => sagemaker.commandCalls(CreateModelPackageCommand)[0]?.args[0].input;
const decision = () => {
  const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
  return { input, document: JSON.parse(String(input?.Body)) as Record<string, unknown> };
};

describe('Function: registerModel', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
    // No decision recorded yet: S3 answers NoSuchKey for any object a test does not give.
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
  });

  describe('when the model passes the gate', () => {
    it('registers it Approved with the exact inputs when there is no champion (the threshold alone decides)', async () => {
      // Prepare
      givenEvaluation(accuracyFile(0.94));
      givenChampion(undefined);
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

      // Act
      const result = await registerModel(evaluationEvent(), deps);

      // Assess
      expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
        { Bucket: BUCKET, Key: DECISION_KEY },
        { Bucket: BUCKET, Key: KEY },
      ]);
      expect(sagemaker.commandCalls(ListModelPackagesCommand).map((call) => call.args[0].input)).toEqual([
        {
          ModelPackageGroupName: 'mlpipe-dev',
          ModelApprovalStatus: 'Approved',
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 1,
        },
      ]);
      expect(sagemaker).not.toHaveReceivedCommand(DescribeModelPackageCommand);
      expect(sagemaker).toHaveReceivedCommandTimes(CreateModelPackageCommand, 1);
      expect(createInput()).toEqual({
        ModelPackageGroupName: 'mlpipe-dev',
        ModelPackageDescription:
          `Model of training job ${TRAINING_JOB}, evaluated by ${JOB}. Passed the register-model gate: ` +
          `${ACCURACY} = 0.94 meets the threshold 0.8 (higher is better); no approved champion to beat.`,
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: MODEL }],
          SupportedContentTypes: ['text/csv', 'application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        ModelMetrics: {
          ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: EVALUATION_URI } },
        },
        CustomerMetadataProperties: {
          pipeline: 'mlpipe-dev',
          'training-job': TRAINING_JOB,
          'evaluation-job': JOB,
          'image-uri': IMAGE,
          'image-digest': DIGEST,
          'metric-path': ACCURACY,
          'metric-value': '0.94',
          'metric-direction': 'higher',
          'metric-threshold': '0.8',
          'min-improvement': '0',
          'champion-version': 'none',
          gate: 'passed',
        },
        ModelApprovalStatus: 'Approved',
        ClientToken: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      // The only write besides the package: the decision, recorded once per evaluation.
      expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([DECISION_KEY]);
      expect(result).toEqual({
        status: 'registered',
        modelPackageArn: NEW_ARN,
        version: 4,
        approval: 'Approved',
        evaluationJobName: JOB,
        trainingJobName: TRAINING_JOB,
        metric: { path: ACCURACY, value: 0.94, threshold: 0.8, direction: 'higher', minImprovement: 0 },
        champion: null,
      });
    });

    it('registers it when it beats the champion, whose metric comes from its metadata', async () => {
      givenEvaluation(accuracyFile(0.94));
      givenChampion({ value: '0.91' });
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

      const result = await registerModel(evaluationEvent(), deps);

      expect(sagemaker.commandCalls(DescribeModelPackageCommand).map((call) => call.args[0].input)).toEqual([
        { ModelPackageName: `${GROUP_ARN}/3` },
      ]);
      expect(createInput()?.CustomerMetadataProperties).toMatchObject({
        'champion-version': '3',
        'champion-value': '0.91',
        gate: 'passed',
      });
      expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
      expect(result).toMatchObject({
        status: 'registered',
        champion: { modelPackageArn: `${GROUP_ARN}/3`, version: 3, value: 0.91 },
      });
    });

    it('registers it PendingManualApproval when manual approval is configured', async () => {
      givenEvaluation(accuracyFile(0.94));
      givenChampion(undefined);
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

      const result = await registerModel(evaluationEvent(), depsWith({ MANUAL_APPROVAL: true }));

      expect(createInput()?.ModelApprovalStatus).toBe('PendingManualApproval');
      expect(createInput()?.ModelPackageDescription).toMatch(/; waiting for manual approval\.$/);
      expect(result).toMatchObject({ status: 'registered', approval: 'PendingManualApproval' });
    });

    it('registers a lower-is-better metric that is below the threshold and the champion', async () => {
      const rmse = { METRIC_PATH: 'regression_metrics.rmse.value', METRIC_DIRECTION: 'lower' as const };
      givenEvaluation(JSON.stringify({ regression_metrics: { rmse: { value: 0.12 } } }));
      givenChampion({ path: 'regression_metrics.rmse.value', value: '0.15' });
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

      const result = await registerModel(evaluationEvent(), depsWith({ ...rmse, METRIC_THRESHOLD: 0.2 }));

      expect(result).toMatchObject({ status: 'registered', metric: { value: 0.12, direction: 'lower' } });
      expect(createInput()?.CustomerMetadataProperties).toMatchObject({
        'metric-path': 'regression_metrics.rmse.value',
        'metric-direction': 'lower',
        'champion-value': '0.15',
      });
    });

    it('reads the champion metric from its evaluation statistics when its metadata is for another metric', async () => {
      const championFile = `evaluations/mlpipe-dev-train-000000000003/evaluation.json`;
      givenEvaluation(accuracyFile(0.94));
      givenEvaluation(accuracyFile(0.97), championFile);
      givenChampion({
        path: 'binary_classification_metrics.f1.value',
        value: '0.5',
        statistics: `s3://${BUCKET}/${championFile}`,
      });

      const result = await registerModel(evaluationEvent(), deps);

      expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
        DECISION_KEY,
        KEY,
        championFile,
      ]);
      expect(result).toMatchObject({ status: 'rejected', champion: { value: 0.97 } });
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
    });
  });

  describe('when the model fails the gate', () => {
    it('registers nothing and writes decision.json beside evaluation.json when the champion is better', async () => {
      // Prepare
      givenEvaluation(accuracyFile(0.9));
      givenChampion({ value: '0.95' });
      s3.on(PutObjectCommand).resolves({});

      // Act
      const result = await registerModel(evaluationEvent(), deps);

      // Assess
      const reason = `${ACCURACY} = 0.9 does not beat the champion version 3 (0.95) (higher is better)`;
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
      const { input, document } = decision();
      expect(input).toMatchObject({
        Bucket: BUCKET,
        Key: `evaluations/${TRAINING_JOB}/decision.json`,
        ContentType: 'application/json',
      });
      expect(document).toEqual({
        status: 'rejected',
        reasons: [reason],
        evaluationJob: JOB,
        trainingJob: TRAINING_JOB,
        evaluation: EVALUATION_URI,
        modelPackageGroup: 'mlpipe-dev',
        metric: { path: ACCURACY, value: 0.9, threshold: 0.8, direction: 'higher', minImprovement: 0 },
        champion: { modelPackageArn: `${GROUP_ARN}/3`, version: 3, value: 0.95 },
        modelDataUrl: MODEL,
        imageUri: IMAGE,
        event: { id: '1f2a6d7e-8a9b-4cad-9f4a-5b6c7d8e9fa6', time: '2026-11-16T02:05:12Z' },
      });
      expect(result).toEqual({
        status: 'rejected',
        reasons: [reason],
        decisionUri: `s3://${BUCKET}/evaluations/${TRAINING_JOB}/decision.json`,
        evaluationJobName: JOB,
        trainingJobName: TRAINING_JOB,
        metric: { path: ACCURACY, value: 0.9, threshold: 0.8, direction: 'higher', minImprovement: 0 },
        champion: { modelPackageArn: `${GROUP_ARN}/3`, version: 3, value: 0.95 },
      });
    });

    it('rejects a metric equal to the champion (beat means strictly better)', async () => {
      givenEvaluation(accuracyFile(0.95));
      givenChampion({ value: '0.95' });
      s3.on(PutObjectCommand).resolves({});

      const result = await registerModel(evaluationEvent(), deps);

      expect(result).toMatchObject({
        status: 'rejected',
        reasons: [`${ACCURACY} = 0.95 does not beat the champion version 3 (0.95) (higher is better)`],
      });
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
    });

    it('rejects a metric below the threshold when there is no champion', async () => {
      givenEvaluation(accuracyFile(0.75));
      givenChampion(undefined);
      s3.on(PutObjectCommand).resolves({});

      const result = await registerModel(evaluationEvent(), deps);

      expect(result).toMatchObject({
        status: 'rejected',
        reasons: [`${ACCURACY} = 0.75 does not meet the threshold 0.8 (higher is better)`],
        champion: null,
      });
      expect(decision().document.reasons).toEqual([
        `${ACCURACY} = 0.75 does not meet the threshold 0.8 (higher is better)`,
      ]);
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
    });

    it('rejects a lower-is-better metric above the threshold', async () => {
      givenEvaluation(JSON.stringify({ regression_metrics: { rmse: { value: 0.25 } } }));
      givenChampion(undefined);
      s3.on(PutObjectCommand).resolves({});

      const result = await registerModel(
        evaluationEvent(),
        depsWith({
          METRIC_PATH: 'regression_metrics.rmse.value',
          METRIC_DIRECTION: 'lower',
          METRIC_THRESHOLD: 0.2,
        }),
      );

      expect(result).toMatchObject({
        status: 'rejected',
        reasons: ['regression_metrics.rmse.value = 0.25 does not meet the threshold 0.2 (lower is better)'],
      });
    });

    it('rejects an improvement smaller than MIN_IMPROVEMENT', async () => {
      givenEvaluation(accuracyFile(0.93));
      givenChampion({ value: '0.84' });
      s3.on(PutObjectCommand).resolves({});

      const result = await registerModel(evaluationEvent(), depsWith({ MIN_IMPROVEMENT: 0.1 }));

      expect(result).toMatchObject({
        status: 'rejected',
        reasons: [
          `${ACCURACY} = 0.93 does not beat the champion version 3 (0.84) by at least 0.1 (higher is better)`,
        ],
      });
    });

    it('rejects, saying why, when the champion has no comparable metric anywhere readable', async () => {
      givenEvaluation(accuracyFile(0.99));
      givenChampion({ path: '', statistics: 's3://someone-else/evaluation.json' });
      s3.on(PutObjectCommand).resolves({});

      const result = await registerModel(evaluationEvent(), deps);

      expect(result).toMatchObject({ status: 'rejected', champion: { version: 3, value: null } });
      expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
    });
  });

  describe('when an event is delivered again', () => {
    it('sends the same ClientToken, so a duplicate registers no second package', async () => {
      givenEvaluation(accuracyFile(0.94));
      givenChampion(undefined);
      // SageMaker answers a repeated ClientToken with the package it already created.
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

      const first = await registerModel(evaluationEvent(), depsWith({ MANUAL_APPROVAL: true }));
      const second = await registerModel(evaluationEvent(), depsWith({ MANUAL_APPROVAL: true }));

      const tokens = sagemaker
        .commandCalls(CreateModelPackageCommand)
        .map((call) => call.args[0].input.ClientToken ?? '');
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).toBe(tokens[1]);
      expect(tokens[0]).toMatch(/^[a-zA-Z0-9-]{1,36}$/);
      expect(tokens[0]).toBe(clientToken(config, JOB));
      expect(first).toMatchObject({ status: 'registered', modelPackageArn: NEW_ARN });
      expect(second).toMatchObject({ status: 'registered', modelPackageArn: NEW_ARN });
    });

    it('derives another ClientToken for another evaluation job', () => {
      expect(clientToken(config, 'mlpipe-dev-eval-aaaaaaaaaaaa')).not.toBe(clientToken(config, JOB));
    });

    it('reports already-registered, creates nothing, and writes the decision.json that the registering run did not, when the champion is this very evaluation', async () => {
      givenEvaluation(accuracyFile(0.94));
      givenChampion({ value: '0.94', evaluationJob: JOB, version: 4 });

      const result = await registerModel(evaluationEvent(), deps);

      expect(result).toEqual({
        status: 'already-registered',
        modelPackageArn: NEW_ARN,
        version: 4,
        evaluationJobName: JOB,
        trainingJobName: TRAINING_JOB,
      });
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
      const { input, document } = decision();
      expect(input?.Key).toBe(DECISION_KEY);
      expect(document).toMatchObject({
        status: 'registered',
        modelPackageArn: NEW_ARN,
        version: 4,
        approval: 'Approved',
        evaluationJob: JOB,
        trainingJob: TRAINING_JOB,
      });
    });
  });

  describe('when the evaluation cannot be used', () => {
    const expectNothingRegistered = () => {
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
      expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    };

    it.each([
      [
        'a NaN metric (Python writes a bare NaN)',
        '{"multiclass_classification_metrics": {"accuracy": {"value": NaN}}}',
        /is "NaN", not a finite number/,
      ],
      [
        'an infinite metric',
        '{"multiclass_classification_metrics": {"accuracy": {"value": -Infinity}}}',
        /is "-Infinity", not a finite number/,
      ],
      ['a metric written as a string', accuracyFile('0.94'), /is "0.94", not a finite number/],
      [
        'a missing metric',
        JSON.stringify({ multiclass_classification_metrics: { f1: { value: 0.9 } } }),
        /has no metric multiclass_classification_metrics\.accuracy\.value/,
      ],
      ['a null metric', accuracyFile(null), /has no metric/],
      ['malformed JSON', '{"multiclass_classification_metrics": {', /is not valid JSON/],
      ['a JSON array', '[0.94]', /is not a JSON object in SageMaker's model-quality shape/],
    ])('fails terminally on %s, naming the job, and registers nothing', async (_case, text, message) => {
      givenEvaluation(text);

      const run = registerModel(evaluationEvent(), deps);

      await expect(run).rejects.toThrow(TerminalError);
      await expect(run).rejects.toThrow(message);
      await expect(run).rejects.toThrow(`Evaluation job ${JOB}`);
      expect(sagemaker.calls()).toHaveLength(0);
      expectNothingRegistered();
    });

    it.each([
      ['NoSuchKey', new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} })],
      ['AccessDenied', Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })],
    ])('fails terminally when evaluation.json is missing (%s)', async (name, error) => {
      s3.on(GetObjectCommand).rejects(error);

      const run = registerModel(evaluationEvent(), deps);

      await expect(run).rejects.toThrow(TerminalError);
      await expect(run).rejects.toThrow(`Evaluation job ${JOB}: ${EVALUATION_URI} is missing (${name}`);
      expect(sagemaker.calls()).toHaveLength(0);
      expectNothingRegistered();
    });

    it.each([
      ['SlowDown', Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' })],
      [
        'a 503',
        Object.assign(new Error('Service Unavailable'), {
          name: 'ServiceUnavailable',
          $metadata: { httpStatusCode: 503 },
        }),
      ],
    ])('lets S3 %s through as a retryable fault', async (_name, error) => {
      s3.on(GetObjectCommand).rejects(error);

      const failure = await registerModel(evaluationEvent(), deps).catch((caught: unknown) => caught);

      expect(failure).toBe(error);
      expect(failure).not.toBeInstanceOf(TerminalError);
      expect(isRetryable(failure)).toBe(true);
      expectNothingRegistered();
    });

    it.each([['evaluation-failed.json', 'Failed', 'AlgorithmError: evaluation data has no label column']])(
      'fails terminally on a %s evaluation job with its reason, without any AWS call',
      async (name, status, reason) => {
        const run = registerModel(evaluationEvent(name), deps);

        await expect(run).rejects.toThrow(TerminalError);
        await expect(run).rejects.toThrow(`Evaluation job ${JOB} ${status}: ${reason}; nothing registered`);
        expect(sagemaker.calls()).toHaveLength(0);
        expect(s3.calls()).toHaveLength(0);
      },
    );

    it('fails terminally on a stopped evaluation job', async () => {
      const event = evaluationEvent();
      event.detail.ProcessingJobStatus = 'Stopped';

      await expect(registerModel(event, deps)).rejects.toThrow(
        `Evaluation job ${JOB} Stopped: no failure reason reported; nothing registered`,
      );
      expect(s3.calls()).toHaveLength(0);
    });

    it('refuses an evaluation output outside S3_EVALUATION_RESULTS_URI without reading it', async () => {
      const event = evaluationEvent();
      const output = event.detail.ProcessingOutputConfig?.Outputs[0]?.S3Output;
      if (output) output.S3Uri = 's3://someone-else/evaluations/x';

      await expect(registerModel(event, deps)).rejects.toThrow(
        `Evaluation job ${JOB} wrote to s3://someone-else/evaluations/x, outside S3_EVALUATION_RESULTS_URI`,
      );
      expect(s3.calls()).toHaveLength(0);
    });

    it('refuses a job without the evaluation output', async () => {
      const event = evaluationEvent();
      delete event.detail.ProcessingOutputConfig;

      await expect(registerModel(event, deps)).rejects.toThrow(
        `Evaluation job ${JOB} has no "evaluation" output`,
      );
      expect(s3.calls()).toHaveLength(0);
    });

    it('refuses a job that names no inference image', async () => {
      const event = evaluationEvent();
      event.detail.Environment = { TRAINING_JOB_NAME: TRAINING_JOB };

      await expect(registerModel(event, deps)).rejects.toThrow(
        `Evaluation job ${JOB} names no inference image (Environment.IMAGE_URI)`,
      );
      expect(s3.calls()).toHaveLength(0);
    });
  });

  it('finds the model and training job from the inputs and tags when the environment lacks them', async () => {
    const event = evaluationEvent();
    event.detail.Environment = { IMAGE_URI: IMAGE };
    givenEvaluation(accuracyFile(0.94));
    givenChampion(undefined);
    sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });

    const result = await registerModel(event, deps);

    expect(createInput()?.InferenceSpecification?.Containers).toEqual([
      { Image: IMAGE, ModelDataUrl: MODEL },
    ]);
    expect(createInput()?.CustomerMetadataProperties).toMatchObject({
      'training-job': TRAINING_JOB,
      'image-digest': DIGEST,
    });
    expect(result).toMatchObject({ status: 'registered', trainingJobName: TRAINING_JOB });
  });

  it('reads evaluation.json once whatever the trailing slashes of the output URI', async () => {
    const event = evaluationEvent();
    const output = event.detail.ProcessingOutputConfig?.Outputs[0]?.S3Output;
    if (output) output.S3Uri = `s3://${BUCKET}/evaluations/${TRAINING_JOB}/`;
    givenEvaluation(accuracyFile(0.5));
    givenChampion(undefined);
    s3.on(PutObjectCommand).resolves({});

    await registerModel(event, deps);

    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      DECISION_KEY,
      KEY,
    ]);
    expect(decision().input?.Key).toBe(DECISION_KEY);
  });

  it('skips an evaluation job of another pipeline and makes no AWS call', async () => {
    const result = await registerModel(evaluationEvent('other-pipeline.json'), deps);

    expect(result).toEqual({
      status: 'skipped',
      reason:
        'processing job fraud-detector-eval-3a73f22133f5 is not an evaluation of pipeline mlpipe-dev (its evaluations are named mlpipe-dev-eval-<12 hex digits>)',
      evaluationJobName: 'fraud-detector-eval-3a73f22133f5',
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it.each([
    ['mlpipe-dev', 'mlpipe-dev-2-eval-93df12b17e33'],
    ['mlpipe-dev-2', 'mlpipe-dev-eval-93df12b17e33'],
    ['mlpipe-dev', 'mlpipe-dev-train-226ba9db57e7'],
    ['mlpipe-dev', 'mlpipe-dev-eval-x'],
    ['mlpipe-dev', 'mlpipe-dev-eval-93df12b17e33-2'],
  ])(
    'as pipeline %s, skips the processing job %s, which is not exactly one of its evaluations, and makes no AWS call',
    async (pipeline, job) => {
      // Prepare
      const event = evaluationEvent();
      event.detail.ProcessingJobName = job;

      // Act
      const result = await registerModel(event, depsWith({ PIPELINE_NAME: pipeline }));

      // Assess
      expect(result).toEqual({
        status: 'skipped',
        reason: `processing job ${job} is not an evaluation of pipeline ${pipeline} (its evaluations are named ${pipeline}-eval-<12 hex digits>)`,
        evaluationJobName: job,
      });
      expect(sagemaker.calls()).toHaveLength(0);
      expect(s3.calls()).toHaveLength(0);
    },
  );

  it('skips a job that is still running', async () => {
    const event = evaluationEvent();
    event.detail.ProcessingJobStatus = 'InProgress';

    await expect(registerModel(event, deps)).resolves.toMatchObject({ status: 'skipped' });
    expect(s3.calls()).toHaveLength(0);
  });

  it('turns a refused CreateModelPackage into a terminal error and lets throttling through', async () => {
    givenEvaluation(accuracyFile(0.94));
    givenChampion(undefined);
    sagemaker
      .on(CreateModelPackageCommand)
      .rejectsOnce(
        Object.assign(new Error('Model Package Group does not exist.'), { name: 'ValidationException' }),
      )
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(registerModel(evaluationEvent(), deps)).rejects.toThrow(
      /CreateModelPackage in mlpipe-dev was refused \(Model Package Group does not exist\.\)/,
    );
    const throttled = await registerModel(evaluationEvent(), deps).catch((caught: unknown) => caught);
    expect(throttled).not.toBeInstanceOf(TerminalError);
    expect(isRetryable(throttled)).toBe(true);
  });

  describe('when the decision was already recorded', () => {
    it('records a registration in decision.json too, so the gate decides once per evaluation', async () => {
      givenEvaluation(accuracyFile(0.94));
      givenChampion(undefined);
      sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: NEW_ARN });
      s3.on(PutObjectCommand).resolves({});

      await registerModel(evaluationEvent(), deps);

      expect(decision().input?.Key).toBe(DECISION_KEY);
      expect(decision().document).toMatchObject({
        status: 'registered',
        modelPackageArn: NEW_ARN,
        version: 4,
      });
    });

    it.each([
      ['registered', { status: 'registered', modelPackageArn: NEW_ARN }],
      ['rejected', { status: 'rejected', reasons: ['not better than the champion'] }],
    ])(
      'reports the recorded %s decision and gates nothing again, even after a newer champion arrived',
      async (status, recorded) => {
        // Prepare: a late copy of the event; since the decision, a better model became champion
        s3.on(GetObjectCommand, { Bucket: BUCKET, Key: DECISION_KEY }).resolves({
          Body: body(JSON.stringify(recorded)),
        });
        givenEvaluation(accuracyFile(0.94));
        givenChampion({ value: '0.99', version: 5 });

        // Act
        const result = await registerModel(evaluationEvent(), deps);

        // Assess
        expect(result).toEqual({
          status: 'already-decided',
          decision: status,
          decisionUri: `s3://${BUCKET}/${DECISION_KEY}`,
          evaluationJobName: JOB,
          trainingJobName: TRAINING_JOB,
        });
        expect(sagemaker.calls()).toHaveLength(0);
        expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
      },
    );
  });
});
