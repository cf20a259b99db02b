/**
 * The sweeps' cost: API calls per scheduled sweep when nothing is missing, at 1, 100 and 1,000 pipeline runs.
 * Per size, one offline stack holds the state a healthy pipeline leaves: N Completed training jobs of the
 * pipeline, each with its Completed evaluation and its decision.json, N Approved versions in the registry, the
 * endpoint InService on the newest, and N objects under the training-data prefix, all older than the newest job.
 * The jobs, evaluations, versions and endpoint are records put straight into the stack's control plane (running
 * N real jobs would take hours): their names are the pipeline's own (`resourceName`), the evaluations' requests
 * are evaluate-model's own (`evaluationJobRequest`), the endpoint serves the config name deploy-model derives. The
 * S3 objects are real PUTs. Then each stage's business sweep runs in this process (its `src`, bundled with
 * esbuild), with real SDK clients pointed at the stack, and counts its calls (`apiCalls`; deploy-model's
 * reconcile through `countingCalls`, as the other sweeps count theirs).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Stack, silentLogger, startStack } from '@sagemaker-pipeline/local';
import * as esbuild from 'esbuild';
import pMap from 'p-map';
import { workspace } from './paths.js';
import {
  nothingMissing,
  PLACEMENTS,
  type Placement,
  type RunTimes,
  runTimes,
  type SweepAnswer,
  type SweepRun,
  type SweepStage,
} from './sweep-plan.js';

const PIPELINE = 'mlpipe-bench';
const BUCKET = 'mlpipe-bench-data';
const GROUP = `${PIPELINE}-models`;
const ENDPOINT = `${PIPELINE}-serving`;
const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/${PIPELINE}:sweeps`;
const LOOKBACK_HOURS = 24;
const INSTANCE = 'ml.m5.large';

type Records = Stack['sagemaker'];
type ValueOf<M> = M extends Map<string, infer T> ? T : never;

/** The stage code this section runs, as the bundle exports it (its own types stay in the stage packages). */
interface StageCode {
  sweepEvaluations(event: unknown, deps: unknown): Promise<SweepAnswer & { apiCalls: number }>;
  sweepDecisions(event: unknown, deps: unknown): Promise<SweepAnswer & { apiCalls: number }>;
  sweepTrainingData(event: unknown, deps: unknown): Promise<SweepAnswer & { apiCalls: number }>;
  deployModel(event: unknown, deps: unknown): Promise<SweepAnswer>;
  evaluationJobRequest(
    config: unknown,
    spec: { trainingJobName: string; modelDataUrl: string; trainingImage: string },
  ): Record<string, unknown> & { ProcessingJobName: string };
  evaluationOutputUri(config: unknown, trainingJobName: string): string;
  endpointConfigName(config: unknown, model: { groupName: string; version: number }): string;
  modelName(pipeline: string, model: { groupName: string; version: number }): string;
  resourceName(pipeline: string, kind: string, key: string): string;
  countingCalls<C>(client: C): { client: C; calls: () => number };
  loadConfig(schema: unknown, env: Record<string, string>): unknown;
  evaluateModelEnv: unknown;
  registerModelEnv: unknown;
  retrainModelEnv: unknown;
  deployModelEnv: unknown;
  S3Client: new (config: unknown) => { destroy(): void };
  SageMakerClient: new (config: unknown) => { destroy(): void };
}

/**
 * The stages' business functions, bundled from their `src` (they are services, not libraries: nothing else
 * compiles them), with the SDK they resolve, so the clients passed to them are of their own SDK.
 */
async function loadStageCode(dir: string): Promise<StageCode> {
  const source = (name: string, file: string) => path.join(workspace, 'packages', name, 'src', file);
  const contents = [
    `export { sweepEvaluations } from ${JSON.stringify(source('evaluate-model', 'sweep.ts'))};`,
    `export { evaluationJobRequest, evaluationOutputUri } from ${JSON.stringify(source('evaluate-model', 'start-evaluation.ts'))};`,
    `export { sweepDecisions } from ${JSON.stringify(source('register-model', 'sweep.ts'))};`,
    `export { sweepTrainingData } from ${JSON.stringify(source('retrain-model', 'sweep.ts'))};`,
    `export { deployModel } from ${JSON.stringify(source('deploy-model', 'deploy-model.ts'))};`,
    `export { endpointConfigName, modelName } from ${JSON.stringify(source('deploy-model', 'requests.ts'))};`,
    `export { countingCalls } from '@sagemaker-pipeline/shared/clients';`,
    `export { resourceName } from '@sagemaker-pipeline/shared/naming';`,
    `export { loadConfig } from '@sagemaker-pipeline/shared/config';`,
    `export { evaluateModelEnv } from ${JSON.stringify(source('evaluate-model', 'config.ts'))};`,
    `export { registerModelEnv } from ${JSON.stringify(source('register-model', 'config.ts'))};`,
    `export { retrainModelEnv } from ${JSON.stringify(source('retrain-model', 'config.ts'))};`,
    `export { deployModelEnv } from ${JSON.stringify(source('deploy-model', 'config.ts'))};`,
    `export { S3Client } from '@aws-sdk/client-s3';`,
    `export { SageMakerClient } from '@aws-sdk/client-sagemaker';`,
  ].join('\n');
  const outfile = path.join(dir, 'sweep-stages.cjs');
  await esbuild.build({
    stdin: {
      contents,
      loader: 'ts',
      resolveDir: path.join(workspace, 'packages', 'register-model'),
      sourcefile: 'sweep-stages.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    outfile,
    logLevel: 'silent',
  });
  return createRequire(import.meta.url)(outfile) as StageCode;
}

function configs(code: StageCode, account: string) {
  const s3 = (folder: string) => `s3://${BUCKET}/${folder}`;
  const env = {
    PIPELINE_NAME: PIPELINE,
    SAGEMAKER_ROLE: `arn:aws:iam::${account}:role/${PIPELINE}-sagemaker`,
    EVALUATION_DATA_URI: s3('evaluation-data'),
    S3_EVALUATION_RESULTS_URI: s3('evaluations'),
    EVALUATION_INSTANCE_TYPE: INSTANCE,
    MODEL_REGISTRY_NAME: GROUP,
    S3_TRAINING_DATA_URI: s3('training-data'),
    S3_OUTPUT_PATH: s3('models'),
    TRAINING_INSTANCE_TYPE: INSTANCE,
    ENDPOINT_NAME: ENDPOINT,
    ENDPOINT_INSTANCE_TYPE: INSTANCE,
    SWEEP_LOOKBACK_HOURS: String(LOOKBACK_HOURS),
  };
  return {
    env,
    evaluate: code.loadConfig(code.evaluateModelEnv, env),
    register: code.loadConfig(code.registerModelEnv, env),
    retrain: code.loadConfig(code.retrainModelEnv, env),
    deploy: code.loadConfig(code.deployModelEnv, env),
  };
}

type Configs = ReturnType<typeof configs>;

/** The pipeline's resources for `times`, put into the control plane in place of whatever was there. */
function placeRecords(stack: Stack, code: StageCode, config: Configs, times: RunTimes[]): void {
  const records: Records = stack.sagemaker;
  const arn = (type: string, name: string) =>
    `arn:aws:sagemaker:${stack.region}:${stack.account}:${type}/${name.toLowerCase()}`;
  for (const map of [
    records.trainingJobs,
    records.processingJobs,
    records.packages,
    records.groups,
    records.models,
    records.endpointConfigs,
    records.endpoints,
  ])
    map.clear();

  const first = times[0]?.trainingCreated ?? new Date();
  records.groups.set(GROUP, {
    name: GROUP,
    arn: arn('model-package-group', GROUP),
    request: { ModelPackageGroupName: GROUP },
    creationTime: first,
    lastModifiedTime: first,
  });
  for (const [index, run] of times.entries()) {
    const trainingJobName = code.resourceName(PIPELINE, 'train', `bench-sweeps-${index}`);
    const modelDataUrl = `${config.env.S3_OUTPUT_PATH}/${trainingJobName}/output/model.tar.gz`;
    const training: ValueOf<Records['trainingJobs']> = {
      name: trainingJobName,
      arn: arn('training-job', trainingJobName),
      request: {
        TrainingJobName: trainingJobName,
        RoleArn: config.env.SAGEMAKER_ROLE,
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        OutputDataConfig: { S3OutputPath: config.env.S3_OUTPUT_PATH },
        ResourceConfig: { InstanceType: INSTANCE, InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      },
      status: 'Completed',
      secondaryStatus: 'Completed',
      transitions: [],
      creationTime: run.trainingCreated,
      startTime: run.trainingCreated,
      endTime: run.trainingEnded,
      lastModifiedTime: run.trainingEnded,
      modelArtifacts: modelDataUrl,
      stopRequested: false,
      logFile: '',
    };
    records.trainingJobs.set(trainingJobName, training);

    const request = code.evaluationJobRequest(config.evaluate, {
      trainingJobName,
      modelDataUrl,
      trainingImage: IMAGE,
    });
    records.processingJobs.set(request.ProcessingJobName, {
      name: request.ProcessingJobName,
      arn: arn('processing-job', request.ProcessingJobName),
      request,
      status: 'Completed',
      creationTime: run.evaluationCreated,
      startTime: run.evaluationCreated,
      endTime: run.evaluationEnded,
      lastModifiedTime: run.evaluationEnded,
      exitMessage: '',
      stopRequested: false,
      logFile: '',
    });

    const version = index + 1;
    const packageArn = `${arn('model-package', GROUP)}/${version}`;
    records.packages.set(packageArn, {
      name: GROUP,
      arn: packageArn,
      request: {
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'Approved',
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: modelDataUrl }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      },
      groupName: GROUP,
      version,
      approvalStatus: 'Approved',
      status: 'Completed',
      creationTime: run.packageCreated,
      lastModifiedTime: run.packageCreated,
    });
  }

  // The endpoint InService on the newest version's derived config, as deploy-model left it.
  const newest = { groupName: GROUP, version: times.length };
  const served = times.at(-1)?.packageCreated ?? new Date();
  const model = code.modelName(PIPELINE, newest);
  const configName = code.endpointConfigName(config.deploy, newest);
  records.models.set(model, {
    name: model,
    arn: arn('model', model),
    request: { ModelName: model, Containers: [{ Image: IMAGE }] },
    creationTime: served,
    lastModifiedTime: served,
  });
  records.endpointConfigs.set(configName, {
    name: configName,
    arn: arn('endpoint-config', configName),
    request: {
      EndpointConfigName: configName,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: model, InstanceType: INSTANCE, InitialInstanceCount: 1 },
      ],
    },
    creationTime: served,
    lastModifiedTime: served,
  });
  records.endpoints.set(ENDPOINT, {
    name: ENDPOINT,
    arn: arn('endpoint', ENDPOINT),
    configName,
    status: 'InService',
    creationTime: served,
    lastModifiedTime: served,
  });
}

/** N objects of training data and the N decisions, real PUTs through the stack's S3. */
async function putObjects(stack: Stack, code: StageCode, config: Configs, size: number): Promise<void> {
  const s3 = new S3Client({
    ...stack.clientConfig,
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await pMap(
      Array.from({ length: size }, (_, index) => index),
      async (index) => {
        const trainingJobName = code.resourceName(PIPELINE, 'train', `bench-sweeps-${index}`);
        const folder = code.evaluationOutputUri(config.evaluate, trainingJobName);
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `training-data/part-${String(index).padStart(5, '0')}.csv`,
            Body: `x,y\n${index},${index % 2}\n`,
          }),
        );
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `${folder.slice(`s3://${BUCKET}/`.length)}/decision.json`,
            Body: JSON.stringify({ status: 'registered', evaluationJob: trainingJobName }),
            ContentType: 'application/json',
          }),
        );
      },
      { concurrency: 16 },
    );
  } finally {
    s3.destroy();
  }
}

function scheduledEvent(stack: Stack, stage: string, time: Date) {
  return {
    version: '0',
    id: `bench-sweeps-${stage}-${time.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: stack.account,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: stack.region,
    resources: [`arn:aws:events:${stack.region}:${stack.account}:rule/${PIPELINE}-${stage}-schedule`],
    detail: {},
  };
}

/** A sweep's answer in a few words: what it found (checked, objects) and anything it did. */
const describe = (answer: SweepAnswer): string =>
  [
    answer.outcome ?? answer.status,
    answer.checked === undefined ? undefined : `checked ${answer.checked}`,
    answer.objects === undefined ? undefined : `${answer.objects} objects`,
    ...(['started', 'registered', 'rejected', 'alreadyStarted', 'alreadyRegistered', 'failed'] as const)
      .filter((key) => (answer[key] ?? []).length > 0)
      .map((key) => `${key} ${(answer[key] ?? []).length}`),
  ]
    .filter(Boolean)
    .join(', ');

async function sweepOnce(
  stack: Stack,
  code: StageCode,
  config: Configs,
  placement: Placement,
  size: number,
  schedule: Date,
): Promise<SweepRun[]> {
  const clientConfig = stack.clientConfig;
  const sagemaker = new code.SageMakerClient(clientConfig);
  const s3 = new code.S3Client({ ...clientConfig, forcePathStyle: true });
  const event = (stage: Parameters<typeof scheduledEvent>[1]) => scheduledEvent(stack, stage, schedule);
  /** A sweep's answer with the API calls it counted itself. */
  const selfCounted = <A extends SweepAnswer & { apiCalls: number }>(answer: A) => ({
    answer,
    apiCalls: answer.apiCalls,
  });
  const stages: Record<SweepStage, () => Promise<{ answer: SweepAnswer; apiCalls: number }>> = {
    evaluateModel: async () =>
      selfCounted(
        await code.sweepEvaluations(event('evaluate-model'), { sagemaker, config: config.evaluate }),
      ),
    registerModel: async () =>
      selfCounted(
        await code.sweepDecisions(event('register-model'), { sagemaker, s3, config: config.register }),
      ),
    retrainModel: async () =>
      selfCounted(
        await code.sweepTrainingData(event('retrain-model'), { sagemaker, s3, config: config.retrain }),
      ),
    deployModel: async () => {
      // its reconcile reports no count: its SageMaker client is counted as the sweeps count theirs
      const counted = code.countingCalls(sagemaker);
      const answer = await code.deployModel(event('deploy-model'), {
        sagemaker: counted.client,
        config: config.deploy,
      });
      return { answer, apiCalls: counted.calls() };
    },
  };
  const runs: SweepRun[] = [];
  try {
    for (const [stage, sweep] of Object.entries(stages) as [SweepStage, (typeof stages)[SweepStage]][]) {
      const started = performance.now();
      const { answer, apiCalls } = await sweep();
      runs.push({
        stage,
        placement,
        size,
        apiCalls,
        outcome: describe(answer),
        nothingMissing: nothingMissing(stage, answer),
        ms: performance.now() - started,
      });
    }
  } finally {
    sagemaker.destroy();
    s3.destroy();
  }
  return runs;
}

export async function measureSweeps(dir: string, sizes: number[]): Promise<SweepRun[]> {
  const code = await loadStageCode(dir);
  const runs: SweepRun[] = [];
  for (const size of sizes) {
    const stack = await startStack({
      port: 0,
      dir: path.join(dir, String(size)),
      services: [],
      logger: silentLogger,
    });
    try {
      const config = configs(code, stack.account);
      await putObjects(stack, code, config, size);
      // S3 dates its objects when they are written: the newest run starts after the uploads, the schedule after it
      const newestStart = new Date(Date.now() + 1_000);
      const schedule = new Date(newestStart.getTime() + 60_000);
      for (const placement of PLACEMENTS) {
        placeRecords(stack, code, config, runTimes(placement, size, schedule, newestStart, LOOKBACK_HOURS));
        runs.push(...(await sweepOnce(stack, code, config, placement, size, schedule)));
      }
    } finally {
      await stack.stop();
    }
  }
  return runs;
}
