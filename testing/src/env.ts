/**
 * The environment of a test process: fake credentials and no profile or endpoint from the shell, so an SDK
 * client reaches only a mock or a stack on loopback, never AWS; and each stage's configuration as its
 * serverless.yml gives it, from the names of shared/contracts, for the unit tests and the bad-input suites.
 */
import {
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  pipelineNames,
  type ServiceName,
} from '@sagemaker-pipeline/shared/contracts';

/** A stage: a service of the pipeline with a function (every one but infra). */
export type Stage = Exclude<ServiceName, 'infra'>;

/** Fake credentials in the default region; no profile, no endpoint and no SDK warning from the shell. */
export function useOfflineSdk(): void {
  Object.assign(process.env, {
    AWS_REGION: DEFAULT_REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
}

/** The variables a stage's function needs, for the pipeline `mlpipe-dev` of `account`. */
export function stageEnv(stage: Stage, account = DEFAULT_ACCOUNT): Record<string, string> {
  const names = pipelineNames({ stage: 'dev', account });
  const s3 = (prefix: string) => `s3://${names.bucket}/${prefix}`;
  const role = `arn:aws:iam::${account}:role/${names.pipeline}-sagemaker`;
  const { trainingData, evaluationData, models, evaluations } = names.prefixes;
  const training = {
    SAGEMAKER_ROLE: role,
    S3_TRAINING_DATA_URI: s3(trainingData),
    S3_OUTPUT_PATH: s3(models),
  };
  const variables: Record<Stage, Record<string, string>> = {
    'trigger-training': { ECR_REPOSITORY_NAME: names.repository, ...training },
    'evaluate-model': {
      SAGEMAKER_ROLE: role,
      EVALUATION_DATA_URI: s3(evaluationData),
      S3_EVALUATION_RESULTS_URI: s3(evaluations),
    },
    'register-model': {
      MODEL_REGISTRY_NAME: names.modelPackageGroup,
      S3_EVALUATION_RESULTS_URI: s3(evaluations),
    },
    'deploy-model': {
      MODEL_REGISTRY_NAME: names.modelPackageGroup,
      SAGEMAKER_ROLE: role,
      ENDPOINT_NAME: names.endpoint,
    },
    'retrain-model': training,
  };
  return { PIPELINE_NAME: names.pipeline, ...variables[stage] };
}

/** What a stage may leave unset, and its tests start without (an image the stage would otherwise use). */
const OPTIONAL: Partial<Record<Stage, string[]>> = {
  'evaluate-model': ['EVALUATION_IMAGE_URI'],
  'retrain-model': ['MODEL_IMAGE_URI'],
};

/**
 * A stage's test process: offline SDK, quiet and readable logs, the stage's environment; a test that needs
 * another one changes it itself.
 */
export function useStageEnv(stage: Stage, account = DEFAULT_ACCOUNT): void {
  useOfflineSdk();
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  Object.assign(process.env, stageEnv(stage, account));
  for (const name of OPTIONAL[stage] ?? []) delete process.env[name];
}
