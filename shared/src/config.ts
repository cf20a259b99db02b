/**
 * Configuration: one zod schema per function over `process.env`, parsed once at cold start.
 * A missing or malformed variable fails with a ConfigError naming it; variable names are the
 * original pipeline's (SAGEMAKER_ROLE, S3_TRAINING_DATA_URI, ...).
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';

export const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** `s3://bucket/prefix`, normalised without a trailing slash. */
export const s3Uri = z
  .string()
  .regex(S3_URI, 'must be an s3:// URI such as s3://bucket/prefix')
  .transform((value) => value.replace(/\/+$/, ''));

export const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN');

/**
 * The pipeline name prefixes every SageMaker resource and is matched by the EventBridge rules, so it is
 * kept short enough to leave room for a kind and a hash within SageMaker's 63 characters.
 */
export const pipelineName = z
  .string()
  .regex(
    /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/,
    'must be 1-32 letters, digits or hyphens, starting and ending alphanumeric',
  );

export const instanceType = z
  .string()
  .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large');

export const ecrRepositoryName = z
  .string()
  .regex(
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    'must be an ECR repository name',
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Hyperparameters as a JSON object of strings (SageMaker passes them as strings). */
export const hyperparameters = z
  .string()
  .default('{}')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)));

/** Settings every training job shares, whoever starts it (trigger-training, retrain-model). */
export const trainingJobEnv = {
  PIPELINE_NAME: pipelineName,
  SAGEMAKER_ROLE: roleArn,
  S3_TRAINING_DATA_URI: s3Uri,
  S3_OUTPUT_PATH: s3Uri,
  TRAINING_INSTANCE_TYPE: instanceType.default('ml.m5.large'),
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
export function loadConfig<S extends z.ZodType>(
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
