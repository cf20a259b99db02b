import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { isRetryable, TerminalError } from '@sagemaker-pipeline/shared/errors';
import 'aws-sdk-client-mock-jest';
import { registerModel } from '../../src/register.js';
import {
  accuracyFile,
  BUCKET,
  body,
  createInput,
  DECISION_KEY,
  DIGEST,
  decision,
  deps,
  depsWith,
  EVALUATION_URI,
  evaluationEvent,
  givenChampion,
  givenEvaluation,
  IMAGE,
  JOB,
  KEY,
  MODEL,
  NEW_ARN,
  noSuchKey,
  s3,
  sagemaker,
  TRAINING_JOB,
  useFreshMocks,
} from '../helpers/register-fixtures.js';

describe('Function: registerModel, evaluations it cannot use, foreign and running jobs, decisions already recorded', () => {
  useFreshMocks();

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
      ['NoSuchKey', noSuchKey()],
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
