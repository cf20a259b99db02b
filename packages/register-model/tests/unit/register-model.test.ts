import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
} from '@aws-sdk/client-sagemaker';
import 'aws-sdk-client-mock-jest';
import { clientToken, registerModel } from '../../src/register.js';
import {
  ACCURACY,
  accuracyFile,
  BUCKET,
  config,
  createInput,
  DECISION_KEY,
  DIGEST,
  decision,
  deps,
  depsWith,
  EVALUATION_URI,
  evaluationEvent,
  GROUP_ARN,
  givenChampion,
  givenEvaluation,
  IMAGE,
  JOB,
  KEY,
  MODEL,
  NEW_ARN,
  s3,
  sagemaker,
  TRAINING_JOB,
  useFreshMocks,
} from '../helpers/register-fixtures.js';

describe('Function: registerModel', () => {
  useFreshMocks();

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
});
