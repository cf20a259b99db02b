/**
 * The value schemas of the variables, as functions: a bundle then carries only those its stage's schema
 * calls (a schema built at module scope stays in every bundle that imports its module, used or not).
 */
import * as v from 'valibot';
import { S3_URI } from '../contracts.js';
import { NAME_KINDS, reservedWordIn } from '../naming.js';

export { S3_URI } from '../contracts.js';

/** `s3://bucket/prefix`, normalised without a trailing slash. */
export const s3Uri = () =>
  v.pipe(
    v.string(),
    v.regex(S3_URI, 'must be an s3:// URI such as s3://bucket/prefix'),
    v.transform((value: string) => value.replace(/\/+$/, '')),
  );

export const roleArn = () =>
  v.pipe(
    v.string(),
    v.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN'),
  );

/**
 * The pipeline name prefixes every SageMaker resource and is matched by the EventBridge rules, so it is
 * kept short enough to leave room for a kind and a hash within SageMaker's 63 characters (never truncated).
 * Single hyphens only: names collapse hyphen runs, so `a--b` would name `a-b`'s resources. No kind word: a
 * pipeline `mlpipe-train` would have names that pipeline `mlpipe`'s `mlpipe-train-` rules and scopes match.
 */
export const pipelineName = () =>
  v.pipe(
    v.string(),
    v.regex(
      /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/,
      'must be letters and digits in words joined by single hyphens, such as mlpipe-dev',
    ),
    v.maxLength(32, 'must be at most 32 characters'),
    v.check(
      (name: string) => reservedWordIn(name) === undefined,
      (issue) =>
        `must not contain the reserved word "${reservedWordIn(String(issue.input))}": resource names are ` +
        `<pipeline>-<kind>-<hash> (kinds ${NAME_KINDS.join(', ')}), so another ` +
        "pipeline's name filters, event rules and IAM scopes could match this pipeline's resources; choose " +
        'another name',
    ),
  );

/** A SageMaker instance type, `ml.m5.large` when unset. */
export const instanceType = () =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large'),
    ),
    'ml.m5.large',
  );

export const ecrRepositoryName = () =>
  v.pipe(
    v.string(),
    v.regex(
      /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
      'must be an ECR repository name',
    ),
  );

/** An integer written as text, between `min` and `max`; `fallback` when unset. */
export const integerBetween = (min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^[-+]?\d+$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    String(fallback),
  );

export const positiveInt = (fallback: number) => integerBetween(1, Number.MAX_SAFE_INTEGER, fallback);

/**
 * How far back a stage's scheduled sweep looks, in hours: 24 by default, at most 30 days (the listings grow
 * with the window). It should exceed the sweep's period, so that consecutive windows overlap.
 */
export const sweepLookbackHours = () => integerBetween(1, 720, 24);

/** Hyperparameters as a JSON object of strings (SageMaker passes them as strings). */
export const hyperparameters = () =>
  v.pipe(
    v.optional(v.string(), '{}'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return JSON.parse(dataset.value) as unknown;
      } catch {
        addIssue({ message: 'must be a JSON object' });
        return NEVER;
      }
    }),
    v.record(
      v.string(),
      v.pipe(
        v.union([v.string(), v.number(), v.boolean()], 'must be a string, number or boolean'),
        v.transform(String),
      ),
      'must be a JSON object',
    ),
  );

/** An optional string that must match `pattern`; empty counts as unset, so a serverless.yml can default it to `''`. */
const optionalMatching = (pattern: RegExp, message: string) => () =>
  v.pipe(
    v.optional(v.string()),
    v.transform((value) => (value === '' ? undefined : value)),
    v.optional(v.pipe(v.string(), v.regex(pattern, message))),
  );

/** A container image URI as SageMaker takes it (`TrainingImage`: 1-255 characters, no whitespace). */
export const optionalImageUri = optionalMatching(
  /^\S{1,255}$/,
  'must be a container image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag',
);

/**
 * The pipeline's alert topic (`ALERT_TOPIC_ARN`, infra's `<pipeline>-alerts`). Unset, alerts are only logged, as
 * ERROR lines with the same text.
 */
export const optionalTopicArn = optionalMatching(
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts',
);

/** A SageMaker model package group name (the model registry): 1-63 letters, digits, hyphens. */
export const modelPackageGroupName = () =>
  v.pipe(
    v.string(),
    v.regex(
      /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
      'must be a model package group name (1-63 letters, digits, hyphens)',
    ),
  );

/** A finite decimal number written as text (`0.8`, `-1.5`, `1e-3`); empty or `NaN` is refused. */
export const decimalNumber = () =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'must be a number such as 0.8'),
    v.transform(Number),
  );

const TRUE = ['true', '1', 'yes', 'on', 'y', 'enabled'];
const FALSE = ['false', '0', 'no', 'off', 'n', 'disabled'];

/** `true`/`false` as text, in the spellings environment variables use (`1`, `yes`, `on`...), any case. */
export const booleanText = () =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.picklist([...TRUE, ...FALSE], 'must be true or false'),
    v.transform((value) => TRUE.includes(value)),
  );

/** A SageMaker endpoint name: 1-63 letters, digits, hyphens. */
export const endpointName = () =>
  v.pipe(
    v.string(),
    v.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be an endpoint name (1-63 letters, digits, hyphens)'),
  );

/** A comma-separated list of CloudWatch alarm names; empty means none. */
export const alarmNameList = () =>
  v.pipe(
    v.optional(v.string(), ''),
    v.transform((value: string) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
    v.array(v.pipe(v.string(), v.maxLength(255, 'must be alarm names of at most 255 characters'))),
    v.maxLength(10, 'must name at most 10 alarms'),
  );

/** Settings every training job shares, whoever starts it (trigger-training, retrain-model). */
export const trainingJobEnv = () => ({
  PIPELINE_NAME: pipelineName(),
  SAGEMAKER_ROLE: roleArn(),
  S3_TRAINING_DATA_URI: s3Uri(),
  S3_OUTPUT_PATH: s3Uri(),
  TRAINING_INSTANCE_TYPE: instanceType(),
  TRAINING_INSTANCE_COUNT: positiveInt(1),
  TRAINING_VOLUME_SIZE_GB: positiveInt(30),
  TRAINING_MAX_RUNTIME_SECONDS: positiveInt(3600),
  HYPERPARAMETERS: hyperparameters(),
});
