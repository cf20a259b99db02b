// Two pipelines on one stack whose names extend each other, `mlpipe-local` and `mlpipe-local-2` (stages `local`
// and `local-2`), each with its own life cycle from the same reference image: neither acts on the other's
// jobs, packages, endpoint or objects. Names, event patterns and sweeps match `<pipeline>-<kind>-...` exactly.
import { ListModelPackagesCommand, ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Stack } from '@sagemaker-pipeline/local';
import { imageFolder, splits } from '@sagemaker-pipeline/reference-model';
import { isPipelineResource } from '@sagemaker-pipeline/shared/naming';
import { eventually, type PipelineStack, startPipelineStack } from './helpers.js';

const data = splits();
const PIPELINES = [
  // a result of mlpipe-local that named mlpipe-local-2's resources would carry `mlpipe-local-2-`, and the other
  // way round `mlpipe-local-<kind>-`
  { stage: 'local', pipeline: 'mlpipe-local', others: /mlpipe-local-2-/ },
  {
    stage: 'local-2',
    pipeline: 'mlpipe-local-2',
    others: /mlpipe-local-(train|retrain|eval|model|endpoint-config)-/,
  },
] as const;
const bucketOf = (pipeline: string) => `${pipeline}-000000000000-us-east-1`;
/** Every name a result of a stage function may carry, by the field it is in. */
const NAME_FIELDS = [
  'trainingJobName',
  'processingJobName',
  'evaluationJobName',
  'modelName',
  'endpointConfigName',
];

type Invocation = Stack['functions']['invocations'][number];

describe('Reliability: two pipelines whose names extend each other, on one stack', () => {
  let env: PipelineStack;
  let stack: Stack;
  let runtime: SageMakerRuntimeClient;

  beforeAll(async () => {
    env = await startPipelineStack(
      ['infra', 'trigger-training', 'evaluate-model', 'register-model', 'deploy-model', 'retrain-model'],
      {
        stages: PIPELINES.map(({ stage }) => stage),
        // local-2 is not an offline stage: the framework wants the account it deploys to, the stack's
        env: { AWS_ACCOUNT_ID: '000000000000' },
        seed: PIPELINES.flatMap(({ pipeline }) => [
          { bucket: bucketOf(pipeline), key: 'training-data/initial.csv', body: data.train },
          { bucket: bucketOf(pipeline), key: 'evaluation-data/evaluation.csv', body: data.evaluation },
        ]),
      },
    );
    stack = env.stack;
    runtime = new SageMakerRuntimeClient(stack.clientConfig);
  }, 60_000);

  afterAll(async () => {
    runtime?.destroy();
    await env?.stop();
  });

  it('runs each life cycle to its own endpoint, and no function touches the other pipeline', async () => {
    // Act: the same image pushed to both repositories
    for (const { pipeline } of PIPELINES) await stack.images.push(imageFolder(), pipeline, 'v1');
    for (const { pipeline } of PIPELINES) {
      await eventually(
        `${pipeline}'s endpoint to serve`,
        async () => {
          const answer = await runtime
            .send(
              new InvokeEndpointCommand({
                EndpointName: pipeline,
                ContentType: 'text/csv',
                Body: '39.1,18.7,181,3750',
              }),
            )
            .catch(() => undefined);
          return answer ? true : undefined;
        },
        120_000,
        250,
      );
    }

    // Assess: each pipeline has its own job, version and endpoint; every function acted on its own names only
    for (const { pipeline } of PIPELINES) {
      const jobs = await env.sagemaker.send(
        new ListTrainingJobsCommand({ NameContains: `${pipeline}-train-` }),
      );
      expect(
        jobs.TrainingJobSummaries?.filter((job) =>
          isPipelineResource(job.TrainingJobName ?? '', pipeline, ['train']),
        ),
      ).toHaveLength(1);
      const versions = await env.sagemaker.send(
        new ListModelPackagesCommand({ ModelPackageGroupName: pipeline }),
      );
      expect(versions.ModelPackageSummaryList).toHaveLength(1);
    }
    const acted = stack.functions.invocations.filter((call) => call.status === 'success');
    const crossed = acted.flatMap((call: Invocation) => {
      const owner = PIPELINES.find(({ stage }) => call.functionName.endsWith(`-${stage}-${call.function}`));
      const result = (call.result ?? {}) as Record<string, unknown>;
      return NAME_FIELDS.flatMap((field) => {
        const name = result[field];
        if (typeof name !== 'string' || !owner) return [];
        return name.startsWith(`${owner.pipeline}-`) &&
          isPipelineResource(name, owner.pipeline, ['train', 'retrain', 'eval', 'model', 'endpoint-config'])
          ? []
          : [`${call.functionName}: ${field} ${name}`];
      });
    });
    expect(crossed).toEqual([]);
    // each pipeline's stages ran, and none even saw the other pipeline's resources (not even to skip them):
    // the event patterns never sent them the other pipeline's events
    for (const { stage, others } of PIPELINES) {
      const own = acted.filter((call) => call.functionName.endsWith(`-${stage}-${call.function}`));
      expect([...new Set(own.map((call) => call.function))]).toEqual(
        expect.arrayContaining(['triggerTraining', 'evaluateModel', 'registerModel', 'deployModel']),
      );
      expect(own.filter((call) => others.test(JSON.stringify(call.result)))).toEqual([]);
    }
  });

  it("sweeps of one pipeline see the other's jobs in their listings and leave them alone", async () => {
    for (const { stage, pipeline } of PIPELINES) {
      const rule = stack.schedules
        .list()
        .find((candidate) =>
          candidate.targets.some((arn) =>
            arn.endsWith(`:function:${pipeline}-evaluate-model-${stage}-evaluateModel`),
          ),
        );
      if (!rule) throw new Error(`no evaluate-model schedule of ${pipeline}`);
      const { id } = stack.schedules.run(rule.name);
      const run = await eventually(`${pipeline}'s evaluate-model sweep`, () =>
        stack.functions.invocations.find((call) => call.eventId === id && call.status === 'success'),
      );
      // `NameContains: mlpipe-local-` lists mlpipe-local-2's job too: exact names keep only its own
      expect(run.result).toMatchObject({ status: 'swept', checked: 1, missing: 0, started: [] });
    }
  });
});
