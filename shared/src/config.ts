/**
 * Configuration: one zod schema per function over `process.env`, parsed once at cold start.
 * A missing or malformed variable fails with a ConfigError naming it; variable names are the
 * original pipeline's (SAGEMAKER_ROLE, S3_TRAINING_DATA_URI, ...).
 */
import * as z from 'zod/mini';
import './zod-locale.js';
import { ConfigError } from './errors.js';

export const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** `s3://bucket/prefix`, normalised without a trailing slash. */
export const s3Uri = z.pipe(
  z.string().check(z.regex(S3_URI, 'must be an s3:// URI such as s3://bucket/prefix')),
  z.transform((value: string) => value.replace(/\/+$/, '')),
);

export const roleArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN'));

/**
 * The pipeline name prefixes every SageMaker resource and is matched by the EventBridge rules, so it is
 * kept short enough to leave room for a kind and a hash within SageMaker's 63 characters.
 */
export const pipelineName = z
  .string()
  .check(
    z.regex(
      /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/,
      'must be 1-32 letters, digits or hyphens, starting and ending alphanumeric',
    ),
  );

export const instanceType = z
  .string()
  .check(z.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large'));

export const ecrRepositoryName = z
  .string()
  .check(
    z.regex(
      /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
      'must be an ECR repository name',
    ),
  );

const positiveInt = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

/** Hyperparameters as a JSON object of strings (SageMaker passes them as strings). */
export const hyperparameters = z.pipe(
  z.pipe(
    z._default(z.string(), '{}'),
    z.transform((value: string, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'must be a JSON object', input: value });
        return z.NEVER;
      }
    }),
  ),
  z.record(z.string(), z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String))),
);

/** Settings every training job shares, whoever starts it (trigger-training, retrain-model). */
export const trainingJobEnv = {
  PIPELINE_NAME: pipelineName,
  SAGEMAKER_ROLE: roleArn,
  S3_TRAINING_DATA_URI: s3Uri,
  S3_OUTPUT_PATH: s3Uri,
  TRAINING_INSTANCE_TYPE: z._default(instanceType, 'ml.m5.large'),
  TRAINING_INSTANCE_COUNT: positiveInt(1),
  TRAINING_VOLUME_SIZE_GB: positiveInt(30),
  TRAINING_MAX_RUNTIME_SECONDS: positiveInt(3600),
  HYPERPARAMETERS: hyperparameters,
};

export const triggerTrainingEnv = z.object({
  ...trainingJobEnv,
  ECR_REPOSITORY_NAME: ecrRepositoryName,
});
export type TriggerTrainingConfig = z.infer<typeof triggerTrainingEnv>;

/** Parses `env` with `schema`, or throws a ConfigError that names every missing or malformed variable. */
export function loadConfig<S extends z.ZodMiniType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && env[name] === undefined;
    return missing ? `${name} is required` : `${name} ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/**
 * A container image URI as SageMaker takes it (`TrainingImage`: 1-255 characters, no whitespace). Empty counts
 * as unset, so a serverless.yml can default an optional image to `''`.
 */
export const optionalImageUri = z.pipe(
  z.transform((value: unknown) => (value === '' ? undefined : value)),
  z.optional(
    z
      .string()
      .check(
        z.regex(
          /^\S{1,255}$/,
          'must be a container image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag',
        ),
      ),
  ),
);

/** retrain-model: the training job settings of trigger-training, and the image to use when no job has run yet. */
export const retrainModelEnv = z.object({
  ...trainingJobEnv,
  MODEL_IMAGE_URI: optionalImageUri,
});
export type RetrainModelConfig = z.infer<typeof retrainModelEnv>;

/** A SageMaker model package group name (the model registry): 1-63 letters, digits, hyphens. */
export const modelPackageGroupName = z
  .string()
  .check(
    z.regex(
      /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
      'must be a model package group name (1-63 letters, digits, hyphens)',
    ),
  );

/** A finite decimal number written as text (`0.8`, `-1.5`, `1e-3`); empty or `NaN` is refused. */
export const decimalNumber = z.pipe(
  z
    .string()
    .check(z.trim(), z.regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'must be a number such as 0.8')),
  z.transform(Number),
);

/** evaluate-model: the evaluation processing job started for each completed training job of the pipeline. */
export const evaluateModelEnv = z.object({
  PIPELINE_NAME: pipelineName,
  SAGEMAKER_ROLE: roleArn,
  EVALUATION_DATA_URI: s3Uri,
  S3_EVALUATION_RESULTS_URI: s3Uri,
  EVALUATION_IMAGE_URI: optionalImageUri,
  EVALUATION_INSTANCE_TYPE: z._default(instanceType, 'ml.m5.large'),
  EVALUATION_INSTANCE_COUNT: positiveInt(1),
  EVALUATION_VOLUME_SIZE_GB: positiveInt(30),
  EVALUATION_MAX_RUNTIME_SECONDS: positiveInt(3600),
});
export type EvaluateModelConfig = z.infer<typeof evaluateModelEnv>;

/** register-model: where evaluations are, the registry, and the gate a model must pass to be registered. */
export const registerModelEnv = z.object({
  PIPELINE_NAME: pipelineName,
  MODEL_REGISTRY_NAME: modelPackageGroupName,
  S3_EVALUATION_RESULTS_URI: s3Uri,
  METRIC_PATH: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[^.\s]+(\.[^.\s]+)*$/,
          'must be a dotted path such as multiclass_classification_metrics.accuracy.value',
        ),
      ),
    'multiclass_classification_metrics.accuracy.value',
  ),
  METRIC_THRESHOLD: z._default(decimalNumber, 0.8),
  METRIC_DIRECTION: z._default(z.enum(['higher', 'lower']), 'higher'),
  MIN_IMPROVEMENT: z._default(z.pipe(decimalNumber, z.number().check(z.nonnegative())), 0),
  MANUAL_APPROVAL: z._default(z.stringbool(), false),
});
export type RegisterModelConfig = z.infer<typeof registerModelEnv>;

/** A SageMaker endpoint name: 1-63 letters, digits, hyphens. */
export const endpointName = z
  .string()
  .check(
    z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be an endpoint name (1-63 letters, digits, hyphens)'),
  );

/** A comma-separated list of CloudWatch alarm names; empty means none. */
export const alarmNameList = z.pipe(
  z.pipe(
    z._default(z.string(), ''),
    z.transform((value: string) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ),
  z
    .array(z.string().check(z.maxLength(255, 'must be alarm names of at most 255 characters')))
    .check(z.maxLength(10, 'must name at most 10 alarms')),
);

const secondsBetween = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/**
 * deploy-model: the endpoint that serves the newest Approved package of the registry, and how an update
 * shifts traffic (SageMaker blue/green deployment guardrails). The cross-field rules are SageMaker's own
 * (canary at most 50% of the fleet, linear steps 10-50%), checked here so a bad setting fails at cold
 * start with its name rather than at the first update. Rollback alarms must be named `<pipeline>-...`:
 * that is the scope of the role's cloudwatch:DescribeAlarms.
 */
export const deployModelEnv = z
  .object({
    PIPELINE_NAME: pipelineName,
    MODEL_REGISTRY_NAME: modelPackageGroupName,
    SAGEMAKER_ROLE: roleArn,
    ENDPOINT_NAME: endpointName,
    ENDPOINT_INSTANCE_TYPE: z._default(instanceType, 'ml.m5.large'),
    ENDPOINT_INSTANCE_COUNT: positiveInt(1),
    DEPLOYMENT_TRAFFIC_ROUTING: z._default(z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']), 'ALL_AT_ONCE'),
    DEPLOYMENT_STEP_TYPE: z._default(z.enum(['CAPACITY_PERCENT', 'INSTANCE_COUNT']), 'CAPACITY_PERCENT'),
    DEPLOYMENT_STEP_SIZE: positiveInt(10),
    DEPLOYMENT_WAIT_SECONDS: secondsBetween(0, 3600, 300),
    DEPLOYMENT_TERMINATION_WAIT_SECONDS: secondsBetween(0, 3600, 0),
    DEPLOYMENT_MAX_EXECUTION_SECONDS: secondsBetween(600, 28800, 3600),
    ROLLBACK_ALARMS: alarmNameList,
  })
  .check(
    z.superRefine((config, ctx) => {
      const routing = config.DEPLOYMENT_TRAFFIC_ROUTING;
      if (routing !== 'ALL_AT_ONCE') {
        const size = config.DEPLOYMENT_STEP_SIZE;
        const percent =
          config.DEPLOYMENT_STEP_TYPE === 'CAPACITY_PERCENT'
            ? size
            : (100 * size) / config.ENDPOINT_INSTANCE_COUNT;
        const [min, max] = routing === 'CANARY' ? [0, 50] : [10, 50];
        if (percent < min || percent > max) {
          ctx.addIssue({
            code: 'custom',
            path: ['DEPLOYMENT_STEP_SIZE'],
            message: `must be ${routing === 'CANARY' ? 'at most 50%' : '10-50%'} of the endpoint's ${config.ENDPOINT_INSTANCE_COUNT} instance(s) for ${routing} (got ${size} ${config.DEPLOYMENT_STEP_TYPE})`,
          });
        }
      }
      const prefix = `${config.PIPELINE_NAME}-`;
      for (const alarm of config.ROLLBACK_ALARMS.filter((name) => !name.startsWith(prefix))) {
        ctx.addIssue({
          code: 'custom',
          path: ['ROLLBACK_ALARMS'],
          message: `must name alarms starting with ${prefix} (the role may only describe those): ${alarm}`,
        });
      }
    }),
  );
export type DeployModelConfig = z.infer<typeof deployModelEnv>;
