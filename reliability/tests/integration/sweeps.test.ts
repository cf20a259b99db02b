// The stages catch up on the offline stack: work that an event should have caused and did not is found and
// started by a stage's scheduled sweep, with the event's own derived names, after which the next stages go on
// through their normal events. The reference image trains, evaluates and serves for real.
//
// evaluate-model: the Training Job State Change reaches it, but every attempt (the first and Lambda's two
// retries) is refused by the fault switch, as when the account's processing-job quota is used up; Lambda then
// gives up on the event. The quota frees, and the sweep starts the evaluation.
//
// register-model: its sweep describes the evaluation on the stack and finds it decided (the event's path read
// decision.json); no fault switch can lose only its event, so its catching up is shown by its unit tests.
//
// retrain-model: training data written before the bucket's notifications were configured notified nothing, as
// a lost notification; the sweep lists the prefix, finds it newer than any completed job and retrains on it.
import {
  CreateTrainingJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Stack } from '@sagemaker-pipeline/local';
import { imageFolder, splits } from '@sagemaker-pipeline/reference-model';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import { eventually, NAMES, type PipelineStack, startPipelineStack } from './helpers.js';

const data = splits();
const TRAINING_JOB = resourceName(NAMES.pipeline, 'train', 'sweeps-it');
const EVALUATION_JOB = resourceName(NAMES.pipeline, 'eval', TRAINING_JOB);

type Invocation = Stack['functions']['invocations'][number];

const invocations = (stack: Stack, fn: string, trigger: Invocation['trigger']): Invocation[] =>
  stack.functions.invocations.filter((call) => call.function === fn && call.trigger === trigger);

/** Runs a function's schedule now (the rule whose target is the function) and returns that run's result. */
async function runSweep(stack: Stack, functionName: string): Promise<Record<string, unknown>> {
  const rule = stack.schedules
    .list()
    .find((candidate) => candidate.targets.some((arn) => arn.endsWith(`:function:${functionName}`)));
  if (!rule) throw new Error(`no schedule rule of ${functionName}`);
  const { id } = stack.schedules.run(rule.name);
  const run = await eventually(`the sweep of ${functionName}`, () =>
    stack.functions.invocations.find((call) => call.eventId === id && call.status === 'success'),
  );
  return run.result as Record<string, unknown>;
}

describe('Reliability: every stage catches up with its sweep, on the offline stack', () => {
  let env: PipelineStack;
  let stack: Stack;
  let runtime: SageMakerRuntimeClient;
  let imageUri = '';

  const sweep = (functionName: string) => runSweep(stack, functionName);

  beforeAll(async () => {
    env = await startPipelineStack(['infra', 'evaluate-model', 'register-model', 'deploy-model'], {
      seed: [
        { bucket: NAMES.bucket, key: `${NAMES.trainingPrefix}initial.csv`, body: data.train },
        { bucket: NAMES.bucket, key: `${NAMES.evaluationPrefix}evaluation.csv`, body: data.evaluation },
      ],
      retryDelayMs: 200,
      faults: { resourceLimitExceeded: { times: 3, operations: ['CreateProcessingJob'] } },
    });
    stack = env.stack;
    runtime = new SageMakerRuntimeClient(stack.clientConfig);
    ({ imageUri } = await stack.images.push(imageFolder(), NAMES.repository, 'v1'));
  }, 30_000);

  afterAll(async () => {
    runtime?.destroy();
    await env?.stop();
  });

  it('evaluate-model: the sweep starts the evaluation whose event failed every retry; register-model and deploy-model follow', async () => {
    // Prepare: a training job of the pipeline completes; evaluate-model's three attempts are refused.
    await env.sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: TRAINING_JOB,
        RoleArn: `arn:aws:iam::${stack.account}:role/${NAMES.pipeline}-sagemaker`,
        AlgorithmSpecification: { TrainingImage: imageUri, TrainingInputMode: 'File' },
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: {
              S3DataSource: {
                S3DataType: 'S3Prefix',
                S3Uri: `s3://${NAMES.bucket}/${NAMES.trainingPrefix}`,
                S3DataDistributionType: 'FullyReplicated',
              },
            },
          },
        ],
        OutputDataConfig: { S3OutputPath: `s3://${NAMES.bucket}/models` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
        Tags: [{ Key: 'pipeline', Value: NAMES.pipeline }],
      }),
    );
    const refused = await eventually('evaluate-model to give up on the training event', () => {
      const attempts = invocations(stack, 'evaluateModel', 'eventbridge');
      return attempts.length === 3 ? attempts : undefined;
    });
    expect(refused.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
    ]);
    expect(JSON.stringify(refused[2]?.error)).toContain('ResourceLimitExceeded');
    expect(stack.faults.counts.resourceLimitExceeded).toBe(3);
    expect([...stack.sagemaker.processingJobs.keys()]).toEqual([]);

    // Act: the quota has freed; the schedule runs the sweep.
    const swept = await sweep(`${NAMES.pipeline}-evaluate-model-local-evaluateModel`);

    // Assess: the evaluation has the event's derived name, and the stages after it ran on their events.
    expect(swept).toMatchObject({
      status: 'swept',
      checked: 1,
      missing: 1,
      started: [EVALUATION_JOB],
      alreadyStarted: [],
      failed: [],
      apiCalls: 4,
    });
    const evaluation = await env.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: EVALUATION_JOB }),
    );
    expect(evaluation.Environment?.TRAINING_JOB_NAME).toBe(TRAINING_JOB);
    const registered = await eventually('register-model to register the model', () =>
      invocations(stack, 'registerModel', 'eventbridge')
        .map((call) => call.result as Record<string, unknown> | undefined)
        .find((result) => result?.status === 'registered'),
    );
    expect(registered).toMatchObject({ evaluationJobName: EVALUATION_JOB, version: 1, approval: 'Approved' });
    const packages = await env.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: NAMES.group }),
    );
    expect(packages.ModelPackageSummaryList?.map((pkg) => pkg.ModelApprovalStatus)).toEqual(['Approved']);
    const answer = await eventually(
      'the endpoint to serve version 1',
      async () => {
        const endpoint = stack.sagemaker.endpoints.get(NAMES.endpoint);
        if (endpoint?.status !== 'InService') return undefined;
        const response = await runtime.send(
          new InvokeEndpointCommand({
            EndpointName: NAMES.endpoint,
            ContentType: 'text/csv',
            Body: data.holdout.csv,
          }),
        );
        return JSON.parse(new TextDecoder().decode(response.Body)) as { predictions?: unknown[] };
      },
      25_000,
    );
    expect(answer.predictions).toHaveLength(data.counts.holdout);
  }, 60_000);

  it('evaluate-model: a sweep with nothing missing makes its two List calls and starts nothing', async () => {
    // Prepare
    const callsBefore = stack.sagemaker.calls.length;

    // Act
    const swept = await sweep(`${NAMES.pipeline}-evaluate-model-local-evaluateModel`);

    // Assess
    expect(swept).toMatchObject({ status: 'swept', checked: 1, missing: 0, started: [], apiCalls: 2 });
    expect(
      stack.sagemaker.calls
        .slice(callsBefore)
        .map((call) => call.operation)
        .filter((operation) => operation.startsWith('List') && operation.endsWith('Jobs')),
    ).toEqual(['ListTrainingJobs', 'ListProcessingJobs']);
    expect([...stack.sagemaker.processingJobs.keys()]).toEqual([EVALUATION_JOB]);
  });

  it("register-model: a sweep finds the evaluation decided, through the stack's own description of it", async () => {
    // Prepare
    const callsBefore = stack.sagemaker.calls.length;

    // Act
    const swept = await sweep(`${NAMES.pipeline}-register-model-local-registerModel`);

    // Assess: one List, then DescribeProcessingJob and the read of decision.json.
    expect(swept).toMatchObject({
      status: 'swept',
      checked: 1,
      missing: 0,
      registered: [],
      failed: [],
      apiCalls: 3,
    });
    expect(
      stack.sagemaker.calls
        .slice(callsBefore)
        .map((call) => call.operation)
        .filter((operation) => operation.endsWith('ProcessingJobs') || operation === 'DescribeProcessingJob'),
    ).toEqual(['ListProcessingJobs', 'DescribeProcessingJob']);
  });
});

describe('Reliability: retrain-model catches up with its sweep, on the offline stack', () => {
  let env: PipelineStack;
  let stack: Stack;
  const SEEDED_KEY = `${NAMES.trainingPrefix}before-notifications.csv`;
  const RETRAIN = `${NAMES.pipeline}-retrain-model-local-retrainModel`;

  beforeAll(async () => {
    env = await startPipelineStack(['infra', 'retrain-model'], {
      // Written before the bucket's notifications are configured: no notification, as if it had been lost.
      seed: [{ bucket: NAMES.bucket, key: SEEDED_KEY, body: data.train }],
      // No training job yet: the retraining takes the configured image, pushed below by tag.
      env: {
        ...process.env,
        MODEL_IMAGE_URI: `000000000000.dkr.ecr.us-east-1.amazonaws.com/${NAMES.repository}:v1`,
      },
    });
    stack = env.stack;
    await stack.images.push(imageFolder(), NAMES.repository, 'v1');
  }, 30_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('retrains on data that no notification announced, then finds it covered', async () => {
    // Act
    const swept = await runSweep(stack, RETRAIN);

    // Assess
    expect(swept).toMatchObject({
      status: 'swept',
      outcome: 'started',
      objects: 1,
      newestKey: SEEDED_KEY,
      coveredUntil: null,
      uncovered: 1,
      trainingJobName: expect.stringMatching(/^mlpipe-local-retrain-[0-9a-f]{12}$/),
      apiCalls: 3,
    });
    const name = String(swept.trainingJobName);
    const job = await eventually(
      'the retraining job to complete',
      async () => {
        const described = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
        if (described.TrainingJobStatus === 'Failed')
          throw new Error(`${name} failed: ${described.FailureReason}`);
        return described.TrainingJobStatus === 'Completed' ? described : undefined;
      },
      25_000,
    );
    expect(job.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri).toBe(
      `s3://${NAMES.bucket}/${NAMES.trainingPrefix}`,
    );

    const again = await runSweep(stack, RETRAIN);

    expect(again).toMatchObject({ outcome: 'covered', objects: 1, uncovered: 0, apiCalls: 2 });
  }, 60_000);
});
