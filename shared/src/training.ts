/**
 * Starting a pipeline training job, shared by trigger-training (an image push) and retrain-model (new data).
 * CreateTrainingJob has no client token: the deterministic job name is the only idempotency key, so a
 * `ResourceInUse` for the name we derived means an earlier delivery of the same event already started it.
 */
import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type * as v from 'valibot';
import type { trainingJobEnv } from './config/fields.js';
import { awsErrorName } from './errors.js';

type TrainingJobSettings = {
  [K in keyof ReturnType<typeof trainingJobEnv>]: v.InferOutput<ReturnType<typeof trainingJobEnv>[K]>;
};

export const TRAINING_CHANNEL = 'train';

export interface TrainingJobSpec {
  name: string;
  imageUri: string;
  /** The function that starts the job, tagged as `stage`. */
  stage: string;
  /** Lineage tags (image digest, data batch...); empty values are left out. */
  lineage: Record<string, string | undefined>;
}

/** SageMaker tag values allow letters, digits, spaces and `_.:/=+-@` only, at most 256 characters. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

export function toTags(tags: Record<string, string | undefined>): { Key: string; Value: string }[] {
  return Object.entries(tags)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([Key, value]) => ({ Key, Value: tagValue(value) }));
}

/** The CreateTrainingJob request for the pipeline's training data, output path and resources. */
export function trainingJobRequest(
  config: TrainingJobSettings,
  spec: TrainingJobSpec,
): CreateTrainingJobRequest {
  return {
    TrainingJobName: spec.name,
    RoleArn: config.SAGEMAKER_ROLE,
    AlgorithmSpecification: { TrainingImage: spec.imageUri, TrainingInputMode: 'File' },
    HyperParameters: config.HYPERPARAMETERS,
    InputDataConfig: [
      {
        ChannelName: TRAINING_CHANNEL,
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `${config.S3_TRAINING_DATA_URI}/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      },
    ],
    OutputDataConfig: { S3OutputPath: config.S3_OUTPUT_PATH },
    ResourceConfig: {
      InstanceType: config.TRAINING_INSTANCE_TYPE as NonNullable<
        CreateTrainingJobRequest['ResourceConfig']
      >['InstanceType'],
      InstanceCount: config.TRAINING_INSTANCE_COUNT,
      VolumeSizeInGB: config.TRAINING_VOLUME_SIZE_GB,
    },
    StoppingCondition: { MaxRuntimeInSeconds: config.TRAINING_MAX_RUNTIME_SECONDS },
    Tags: toTags({ pipeline: config.PIPELINE_NAME, stage: spec.stage, ...spec.lineage }),
  };
}

export type StartTrainingOutcome =
  | { status: 'started'; trainingJobName: string; trainingJobArn: string | undefined }
  | { status: 'already-started'; trainingJobName: string };

/** Sends CreateTrainingJob; a `ResourceInUse` on our derived name means the job was already started. */
export async function startTrainingJob(
  sagemaker: SageMakerClient,
  request: CreateTrainingJobRequest,
): Promise<StartTrainingOutcome> {
  const trainingJobName = request.TrainingJobName ?? '';
  try {
    const output = await sagemaker.send(new CreateTrainingJobCommand(request));
    return { status: 'started', trainingJobName, trainingJobArn: output.TrainingJobArn };
  } catch (error) {
    if (awsErrorName(error) === 'ResourceInUse') return { status: 'already-started', trainingJobName };
    throw error;
  }
}
