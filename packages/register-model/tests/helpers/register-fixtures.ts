/**
 * What the registerModel tests share: the SageMaker and S3 mocks, the evaluation and champion they are given, and what they read back.
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  type DescribeModelPackageOutput,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  type ProcessingJobStateChangeEvent,
  ProcessingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { type RegisterModelConfig, registerModelEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';
import { sampleEvent } from '../events.js';

export const sagemaker = mockClient(SageMakerClient);
export const s3 = mockClient(S3Client);
export const config = loadConfig(registerModelEnv);
export const depsWith = (overrides: Partial<RegisterModelConfig> = {}) => ({
  sagemaker: new SageMakerClient({}),
  s3: new S3Client({}),
  config: { ...config, ...overrides },
});
export const deps = depsWith();
export const evaluationEvent = (name = 'evaluation-completed.json') =>
  v.parse(ProcessingJobStateChangeEventSchema, sampleEvent(name)) as ProcessingJobStateChangeEvent;

export const BUCKET = 'mlpipe-dev-000000000000-us-east-1';
export const TRAINING_JOB = 'mlpipe-dev-train-226ba9db57e7';
export const JOB = 'mlpipe-dev-eval-93df12b17e33';
export const KEY = `evaluations/${TRAINING_JOB}/evaluation.json`;
export const DECISION_KEY = `evaluations/${TRAINING_JOB}/decision.json`;
export const EVALUATION_URI = `s3://${BUCKET}/${KEY}`;
export const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';
export const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`;
export const MODEL = `s3://${BUCKET}/models/${TRAINING_JOB}/output/model.tar.gz`;
export const ACCURACY = 'multiclass_classification_metrics.accuracy.value';
export const GROUP_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev';
export const NEW_ARN = `${GROUP_ARN}/4`;

export const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];
export const accuracyFile = (value: unknown) =>
  JSON.stringify({ multiclass_classification_metrics: { accuracy: { value, standard_deviation: 0.01 } } });

/** S3's answer for an object that is not there. */
export const noSuchKey = () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });

/**
 * Fresh mocks before each test (`others` too): no decision recorded yet, S3 answers NoSuchKey for any object
 * a test does not give.
 */
export function useFreshMocks(...others: { reset(): void }[]): void {
  beforeEach(() => {
    for (const mock of [sagemaker, s3, ...others]) mock.reset();
    s3.on(GetObjectCommand).rejects(noSuchKey());
  });
}

/** A model that passes the gate (accuracy `accuracy`), no champion, and version 1 registered for it. */
export function givenAPassingModel(accuracy = 0.94): void {
  givenEvaluation(accuracyFile(accuracy));
  givenChampion(undefined);
  sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: `${GROUP_ARN}/1` });
}

export function givenEvaluation(text: string, key = KEY): void {
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key }).resolves({ Body: body(text) });
}

export interface ChampionSpec {
  value?: string;
  path?: string;
  evaluationJob?: string;
  statistics?: string;
  version?: number;
}

export function givenChampion(spec?: ChampionSpec): void {
  if (!spec) {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    return;
  }
  const version = spec.version ?? 3;
  const arn = `${GROUP_ARN}/${version}`;
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [
      {
        ModelPackageArn: arn,
        ModelPackageGroupName: 'mlpipe-dev',
        ModelPackageVersion: version,
        ModelApprovalStatus: 'Approved',
        ModelPackageStatus: 'Completed',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
      },
    ],
  });
  const described: Partial<DescribeModelPackageOutput> = {
    ModelPackageArn: arn,
    ModelPackageGroupName: 'mlpipe-dev',
    ModelPackageVersion: version,
    ModelApprovalStatus: 'Approved',
    CustomerMetadataProperties: {
      ...(spec.path !== '' ? { 'metric-path': spec.path ?? ACCURACY } : {}),
      ...(spec.value !== undefined ? { 'metric-value': spec.value } : {}),
      'evaluation-job': spec.evaluationJob ?? 'mlpipe-dev-eval-000000000003',
    },
    ...(spec.statistics
      ? {
          ModelMetrics: {
            ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: spec.statistics } },
          },
        }
      : {}),
  };
  sagemaker.on(DescribeModelPackageCommand).resolves(described);
}

/**
 * What a sweep of the sample schedule (the day before 2026-11-16 03:00) answers: nothing checked, decided or
 * failed, unless `found` says otherwise.
 */
export const sweepOfTheDay = (found: Record<string, unknown>) => ({
  status: 'swept',
  window: { from: '2026-11-15T03:00:00.000Z', to: '2026-11-16T03:00:00.000Z' },
  checked: 0,
  missing: 0,
  registered: [],
  rejected: [],
  alreadyRegistered: [],
  failed: [],
  ...found,
});

export const createInput = () => sagemaker.commandCalls(CreateModelPackageCommand)[0]?.args[0].input;
export const decision = () => {
  const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
  return { input, document: JSON.parse(String(input?.Body)) as Record<string, unknown> };
};
