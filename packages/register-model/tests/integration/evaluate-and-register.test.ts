import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { type Stack, silentLogger, startStack } from '@sagemaker-pipeline/local';
import { loadConfig, trainingJobEnv } from '@sagemaker-pipeline/shared/config';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import { trainingJobRequest } from '@sagemaker-pipeline/shared/training';
import * as v from 'valibot';

const workspace = fileURLToPath(new URL('../../../../', import.meta.url));
const image = fileURLToPath(new URL('../fixtures/gate-model', import.meta.url));
const PIPELINE = 'mlpipe-local';
const BUCKET = `${PIPELINE}-000000000000-us-east-1`;
/** The exact name of a training job of the pipeline (the stages act on no other), for a readable key. */
const trainingJob = (name: string) => resourceName(PIPELINE, 'train', name);

let stack: Stack;
let s3: S3Client;
let sagemaker: SageMakerClient;
let imageUri: string;

type Result = Record<string, unknown>;

/** The result of the first successful invocation of `fn` that `match` accepts, polled for up to 20 s. */
async function resultOf(fn: string, match: (result: Result) => boolean): Promise<Result> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const record of stack.functions.invocations) {
      if (record.function.endsWith(fn) && record.status === 'error') {
        throw new Error(`${fn} failed: ${JSON.stringify(record.error)}`);
      }
      const result = record.result as Result | undefined;
      if (record.function.endsWith(fn) && result && match(result)) return result;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${fn} result in time; invocations: ${JSON.stringify(stack.functions.invocations)}`);
}

async function train(name: string, accuracy: number): Promise<string> {
  const trainingJobName = trainingJob(name);
  // The request trigger-training sends, with the test image's accuracy as its hyperparameter.
  const settings = loadConfig(v.object(trainingJobEnv()), {
    PIPELINE_NAME: PIPELINE,
    SAGEMAKER_ROLE: `arn:aws:iam::000000000000:role/${PIPELINE}-sagemaker`,
    S3_TRAINING_DATA_URI: `s3://${BUCKET}/training-data`,
    S3_OUTPUT_PATH: `s3://${BUCKET}/models`,
    TRAINING_MAX_RUNTIME_SECONDS: '60',
    HYPERPARAMETERS: JSON.stringify({ accuracy: String(accuracy) }),
  });
  await sagemaker.send(
    new CreateTrainingJobCommand(
      trainingJobRequest(settings, {
        name: trainingJobName,
        imageUri,
        stage: 'trigger-training',
        lineage: {},
      }),
    ),
  );
  return trainingJobName;
}

/** Trains, and waits for register-model's decision on the evaluation of that training. */
async function trainAndGate(name: string, accuracy: number): Promise<Result> {
  const trainingJobName = await train(name, accuracy);
  return resultOf('registerModel', (result) => result.trainingJobName === trainingJobName);
}

async function readJson(key: string): Promise<Result> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? '') as Result;
}

const packages = async () =>
  (await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: PIPELINE })))
    .ModelPackageSummaryList ?? [];

/** The last event of `detailType` for the job `name`, as the stack delivered it. */
function recordedEvent(detailType: string, nameField: string, name: string) {
  const found = stack.bus.recorded
    .filter(
      (recorded) => recorded.event['detail-type'] === detailType && recorded.event.detail[nameField] === name,
    )
    .at(-1);
  if (!found) throw new Error(`no ${detailType} event for ${name}`);
  return found.event;
}

beforeAll(async () => {
  stack = await startStack({
    port: 0,
    temporary: true,
    logger: silentLogger,
    retryDelayMs: 200,
    services: ['infra', 'evaluate-model', 'register-model'].map((name) =>
      path.join(workspace, 'packages', name),
    ),
  });
  s3 = stack.client(S3Client, { forcePathStyle: true });
  sagemaker = stack.client(SageMakerClient);
  ({ imageUri } = await stack.images.push(image, PIPELINE));
  for (const key of ['training-data/train.csv', 'evaluation-data/holdout.csv']) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'label,x\n1,0.5\n' }));
  }
  // The stack creates the model package group that packages/infra declares.
}, 30_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Offline stack: training job → evaluate-model → evaluation job → register-model', () => {
  it('registers the first model that meets the threshold as the Approved version 1', async () => {
    const result = await trainAndGate('first', 0.9);

    expect(result).toMatchObject({
      status: 'registered',
      version: 1,
      approval: 'Approved',
      metric: { value: 0.9 },
      champion: null,
    });
    const started = await resultOf('evaluateModel', (r) => r.trainingJobName === trainingJob('first'));
    expect(started).toMatchObject({
      status: 'started',
      evaluationUri: `s3://${BUCKET}/evaluations/${trainingJob('first')}`,
    });
    const evaluation = await readJson(`evaluations/${trainingJob('first')}/evaluation.json`);
    expect(evaluation).toMatchObject({
      multiclass_classification_metrics: { accuracy: { value: 0.9 } },
      training_job: trainingJob('first'),
      evaluation_files: ['holdout.csv'],
    });
    const registered = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: String(result.modelPackageArn) }),
    );
    expect(registered.ModelApprovalStatus).toBe('Approved');
    expect(registered.InferenceSpecification?.Containers).toEqual([
      { Image: imageUri, ModelDataUrl: `s3://${BUCKET}/models/${trainingJob('first')}/output/model.tar.gz` },
    ]);
    expect(registered.CustomerMetadataProperties).toMatchObject({
      'training-job': trainingJob('first'),
      'metric-value': '0.9',
      'image-digest': imageUri.split('@')[1],
      'champion-version': 'none',
    });
  }, 30_000);

  it('rejects a worse model, writing decision.json and registering nothing', async () => {
    const result = await trainAndGate('worse', 0.85);

    expect(result).toMatchObject({ status: 'rejected', champion: { version: 1, value: 0.9 } });
    const decision = await readJson(`evaluations/${trainingJob('worse')}/decision.json`);
    expect(decision).toMatchObject({
      status: 'rejected',
      reasons: [expect.stringContaining('does not beat the champion version 1 (0.9)')],
    });
    expect(await packages()).toHaveLength(1);
  }, 30_000);

  it('registers a better model as version 2, with version 1 as the champion it beat', async () => {
    const result = await trainAndGate('better', 0.95);

    expect(result).toMatchObject({ status: 'registered', version: 2, champion: { version: 1, value: 0.9 } });
    expect(await packages()).toHaveLength(2);
  }, 30_000);

  it('starts and registers nothing new when the training and evaluation events are delivered again', async () => {
    const trainingEvent = recordedEvent(
      'SageMaker Training Job State Change',
      'TrainingJobName',
      trainingJob('better'),
    );
    const evaluation = await resultOf('evaluateModel', (r) => r.trainingJobName === trainingJob('better'));
    const evaluationEvent = recordedEvent(
      'SageMaker Processing Job State Change',
      'ProcessingJobName',
      String(evaluation.processingJobName),
    );

    const again = await stack.functions.invoke('evaluateModel', trainingEvent, { source: 'direct' });
    const registeredAgain = await stack.functions.invoke('registerModel', evaluationEvent, {
      source: 'direct',
    });

    expect(again).toEqual({ ok: true, value: expect.objectContaining({ status: 'already-started' }) });
    expect(registeredAgain).toEqual({
      ok: true,
      value: expect.objectContaining({ status: 'already-decided', decision: 'registered' }),
    });
    expect(await packages()).toHaveLength(2);
  }, 30_000);
});
