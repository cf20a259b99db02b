/**
 * What one part of the pipeline writes and another reads, in one place that both import: the names every service
 * derives from pipeline.yml, the evaluation's output and files, the lineage tags of what deploy-model creates.
 * A change here changes producer and consumer together.
 */
import { TerminalError } from './errors.js';

/** The first part of every name when `PIPELINE_PREFIX` is not set (pipeline.yml). */
export const DEFAULT_PIPELINE_PREFIX = 'mlpipe';
/** The account and region pipeline.yml falls back to: the offline stack's. */
export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

/** The services of the pipeline, in the order they deploy (infra first), each a folder of packages/. */
export const SERVICES = [
  'infra',
  'trigger-training',
  'evaluate-model',
  'register-model',
  'deploy-model',
  'retrain-model',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The functions that have a dead-letter queue `<pipeline>-<owner>-dlq`, and infra's retrain queue (`retrain`). */
export const DEAD_LETTER_OWNERS = [
  'trigger-training',
  'evaluate-model',
  'register-model',
  'deploy-model',
  'retrain-model',
  'retrain',
] as const;
export type DeadLetterOwner = (typeof DEAD_LETTER_OWNERS)[number];

export interface PipelineNames {
  /** `<prefix>-<stage>`: the ECR repository, the model package group and (by default) the endpoint. */
  pipeline: string;
  bucket: string;
  repository: string;
  modelPackageGroup: string;
  /** deploy-model's `endpointName` parameter can name another one. */
  endpoint: string;
  alertTopic: string;
  retrainQueue: string;
  deadLetterQueues: Record<DeadLetterOwner, string>;
  /** Prefixes of the bucket, without a trailing slash. */
  prefixes: { trainingData: string; evaluationData: string; models: string; evaluations: string };
}

export interface PipelineNamesInput {
  stage: string;
  prefix?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
}

/** The names pipeline.yml derives for a stage (a test checks them against the packaged templates). */
export function pipelineNames({ stage, prefix, account, region }: PipelineNamesInput): PipelineNames {
  const pipeline = `${prefix || DEFAULT_PIPELINE_PREFIX}-${stage}`;
  return {
    pipeline,
    bucket: `${pipeline}-${account || DEFAULT_ACCOUNT}-${region || DEFAULT_REGION}`,
    repository: pipeline,
    modelPackageGroup: pipeline,
    endpoint: pipeline,
    alertTopic: `${pipeline}-alerts`,
    retrainQueue: `${pipeline}-retrain`,
    deadLetterQueues: Object.fromEntries(
      DEAD_LETTER_OWNERS.map((owner) => [owner, `${pipeline}-${owner}-dlq`]),
    ) as Record<DeadLetterOwner, string>,
    prefixes: {
      trainingData: 'training-data',
      evaluationData: 'evaluation-data',
      models: 'models',
      evaluations: 'evaluations',
    },
  };
}

/** The evaluation job's output (`ProcessingOutputConfig.Outputs[].OutputName`) that register-model reads. */
export const EVALUATION_OUTPUT = 'evaluation';
/** The metrics the evaluation writes in that output, and the gate's decision register-model writes beside them. */
export const EVALUATION_FILE = 'evaluation.json';
export const DECISION_FILE = 'decision.json';

/** What register-model records in `decision.json`, as far as its readers use it. */
export interface Decision {
  status: 'registered' | 'rejected';
  reasons?: string[];
  version?: number | null;
  modelPackageArn?: string;
  approval?: string;
  evaluationJob?: string;
  trainingJob?: string | null;
}

/**
 * What evaluate-model tells an evaluation job about the model it evaluates (its Environment), which
 * register-model reads back to register that model: its training job, model artifact, image and digest.
 */
export const LINEAGE_ENVIRONMENT = {
  trainingJob: 'TRAINING_JOB_NAME',
  modelData: 'MODEL_DATA_URL',
  image: 'IMAGE_URI',
  imageDigest: 'IMAGE_DIGEST',
} as const;

/** Tags the stages put on their jobs (and register-model on its packages' metadata): a model's lineage. */
export const JOB_TAGS = { trainingJob: 'training-job', imageDigest: 'image-digest' } as const;

/** Tags deploy-model puts on its models and endpoint configs: which package version they serve. */
export const LINEAGE_TAGS = {
  group: 'model-package-group',
  version: 'model-package-version',
  arn: 'model-package-arn',
  imageDigest: 'image-digest',
} as const;

/** An S3 URI as the stages take it in their configuration: `s3://<bucket>[/<key or prefix>]`. */
export const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** The bucket and key (or prefix) of an S3 URI; anything else is a TerminalError (no retry would change it). */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = S3_URI.exec(uri);
  if (!match?.[1]) throw new TerminalError(`${uri} is not an s3:// URI`);
  return { bucket: match[1], key: match[2] ?? '' };
}

/** An image digest as ECR reports it, and as trigger-training tags its jobs with it (`image-digest`). */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The digest of an image referenced by digest (`<repository>@sha256:<hex>`), else undefined. */
export function digestOf(imageUri: string): string | undefined {
  const digest = imageUri.slice(imageUri.lastIndexOf('@') + 1);
  return imageUri.includes('@') && IMAGE_DIGEST.test(digest) ? digest : undefined;
}
