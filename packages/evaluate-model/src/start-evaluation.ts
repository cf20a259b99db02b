/**
 * evaluate-model's business function: a completed training job of the pipeline gets one evaluation processing
 * job, which runs the image's `evaluate` command on the model artifact and the evaluation data and writes
 * `evaluation.json` under `S3_EVALUATION_RESULTS_URI/<training job>`. A failed or stopped training job starts
 * nothing. The processing job name is derived from the training job name, so a redelivered event (or a second
 * Completed event for the same job, or the sweep) never starts a second evaluation.
 */
import {
  CreateProcessingJobCommand,
  type CreateProcessingJobRequest,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type ProcessingInstanceType,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  digestOf,
  EVALUATION_OUTPUT,
  JOB_TAGS,
  LINEAGE_ENVIRONMENT,
} from '@sagemaker-pipeline/shared/contracts';
import { awsErrorName, TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { TrainingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import {
  isPipelineResource,
  pipelineResourceForm,
  resourceName,
  TRAINING_JOB_KINDS,
} from '@sagemaker-pipeline/shared/naming';
import { toTags } from '@sagemaker-pipeline/shared/training';
import type { EvaluateModelConfig } from './config.js';

export const STAGE = 'evaluate-model';
/** The command the image runs for an evaluation, like `train` and `serve` (its ENTRYPOINT stays in place). */
export const EVALUATE_COMMAND = 'evaluate';
/** Container paths of the SageMaker processing contract. */
export const PROCESSING_PATHS = {
  model: '/opt/ml/processing/model',
  evaluationData: '/opt/ml/processing/evaluation',
  output: '/opt/ml/processing/output',
} as const;

export interface Deps {
  sagemaker: SageMakerClient;
  config: EvaluateModelConfig;
}

/** What starting the evaluation of a Completed training job gives: started now, or earlier. */
export type EvaluationStart =
  | {
      status: 'started';
      processingJobName: string;
      processingJobArn: string | undefined;
      trainingJobName: string;
      evaluationUri: string;
      imageUri: string;
    }
  | { status: 'already-started'; processingJobName: string; trainingJobName: string; evaluationUri: string };

export type EvaluateModelResult =
  | { status: 'skipped'; reason: string; trainingJobName: string }
  | {
      status: 'training-failed';
      trainingJobName: string;
      trainingJobStatus: 'Failed' | 'Stopped';
      failureReason: string | null;
    }
  | EvaluationStart;

export function evaluationJobName(pipeline: string, trainingJobName: string): string {
  return resourceName(pipeline, 'eval', trainingJobName);
}

/** Where the evaluation of a training job is written: one folder per training job. */
export function evaluationOutputUri(config: EvaluateModelConfig, trainingJobName: string): string {
  return `${config.S3_EVALUATION_RESULTS_URI}/${trainingJobName}`;
}

/** The digest of an image referenced by digest, else the `image-digest` tag trigger-training put on the job. */
export function imageDigest(imageUri: string, tags: Record<string, string> | undefined): string | undefined {
  return digestOf(imageUri) ?? tags?.[JOB_TAGS.imageDigest];
}

async function describeTrainingJob(
  sagemaker: SageMakerClient,
  trainingJobName: string,
): Promise<DescribeTrainingJobResponse> {
  try {
    return await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJobName }));
  } catch (error) {
    // Real SageMaker answers ValidationException for a missing training job, the API reference ResourceNotFound.
    const name = awsErrorName(error);
    if (name === 'ResourceNotFound' || name === 'ValidationException') {
      throw new TerminalError(
        `Training job ${trainingJobName} cannot be described (${name}: ${(error as Error).message}); nothing to evaluate`,
      );
    }
    throw error;
  }
}

/** The CreateProcessingJob request that evaluates `trainingJobName`'s model. */
export function evaluationJobRequest(
  config: EvaluateModelConfig,
  spec: {
    trainingJobName: string;
    modelDataUrl: string;
    trainingImage: string;
    imageDigest?: string | undefined;
  },
): CreateProcessingJobRequest {
  const imageUri = config.EVALUATION_IMAGE_URI ?? spec.trainingImage;
  const s3Input = (S3Uri: string, LocalPath: string) => ({
    S3Uri,
    LocalPath,
    S3DataType: 'S3Prefix' as const,
    S3InputMode: 'File' as const,
    S3DataDistributionType: 'FullyReplicated' as const,
  });
  return {
    ProcessingJobName: evaluationJobName(config.PIPELINE_NAME, spec.trainingJobName),
    RoleArn: config.SAGEMAKER_ROLE,
    AppSpecification: { ImageUri: imageUri, ContainerArguments: [EVALUATE_COMMAND] },
    ProcessingInputs: [
      // The artifact itself (model.tar.gz), extracted by the image.
      { InputName: 'model', S3Input: s3Input(spec.modelDataUrl, PROCESSING_PATHS.model) },
      {
        InputName: 'evaluation-data',
        S3Input: s3Input(`${config.EVALUATION_DATA_URI}/`, PROCESSING_PATHS.evaluationData),
      },
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: EVALUATION_OUTPUT,
          S3Output: {
            S3Uri: evaluationOutputUri(config, spec.trainingJobName),
            LocalPath: PROCESSING_PATHS.output,
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    ProcessingResources: {
      ClusterConfig: {
        InstanceType: config.EVALUATION_INSTANCE_TYPE as ProcessingInstanceType,
        InstanceCount: config.EVALUATION_INSTANCE_COUNT,
        VolumeSizeInGB: config.EVALUATION_VOLUME_SIZE_GB,
      },
    },
    StoppingCondition: { MaxRuntimeInSeconds: config.EVALUATION_MAX_RUNTIME_SECONDS },
    // Lineage for register-model: the model it registers is this artifact, served by the training image.
    Environment: {
      [LINEAGE_ENVIRONMENT.trainingJob]: spec.trainingJobName,
      [LINEAGE_ENVIRONMENT.modelData]: spec.modelDataUrl,
      [LINEAGE_ENVIRONMENT.image]: spec.trainingImage,
      ...(spec.imageDigest ? { [LINEAGE_ENVIRONMENT.imageDigest]: spec.imageDigest } : {}),
    },
    Tags: toTags({
      pipeline: config.PIPELINE_NAME,
      stage: STAGE,
      [JOB_TAGS.trainingJob]: spec.trainingJobName,
      [JOB_TAGS.imageDigest]: spec.imageDigest,
    }),
  };
}

export async function startEvaluation(
  event: TrainingJobStateChangeEvent,
  { sagemaker, config }: Deps,
): Promise<EvaluateModelResult> {
  const { TrainingJobName: trainingJobName, TrainingJobStatus: status } = event.detail;
  if (!isPipelineResource(trainingJobName, config.PIPELINE_NAME, TRAINING_JOB_KINDS)) {
    return {
      status: 'skipped',
      reason: `training job ${trainingJobName} is not of pipeline ${config.PIPELINE_NAME} (its training jobs are named ${pipelineResourceForm(config.PIPELINE_NAME, TRAINING_JOB_KINDS)})`,
      trainingJobName,
    };
  }
  const pipelineTag = event.detail.Tags?.pipeline;
  if (pipelineTag !== undefined && pipelineTag !== config.PIPELINE_NAME) {
    return {
      status: 'skipped',
      reason: `training job ${trainingJobName} is tagged pipeline=${pipelineTag}, not ${config.PIPELINE_NAME}`,
      trainingJobName,
    };
  }
  if (status === 'Failed' || status === 'Stopped') {
    return {
      status: 'training-failed',
      trainingJobName,
      trainingJobStatus: status,
      failureReason: event.detail.FailureReason ?? null,
    };
  }
  if (status !== 'Completed') {
    return {
      status: 'skipped',
      reason: `training job ${trainingJobName} is ${status}, not finished`,
      trainingJobName,
    };
  }
  return evaluateCompletedJob(trainingJobName, event.detail.Tags, { sagemaker, config });
}

/**
 * Starts the evaluation of a Completed training job of the pipeline: the event's way and the sweep's. The job is
 * described for its artifact and image; `tags` (the event's, when there is one) only give the image digest of an
 * image not referenced by digest, which the pipeline's jobs never use (trigger-training trains by digest and
 * retrain-model tags the digest only when its image is by digest), so without them the request is the same.
 */
export async function evaluateCompletedJob(
  trainingJobName: string,
  tags: Record<string, string> | undefined,
  { sagemaker, config }: Deps,
): Promise<EvaluationStart> {
  const job = await describeTrainingJob(sagemaker, trainingJobName);
  const modelDataUrl = job.ModelArtifacts?.S3ModelArtifacts;
  if (!modelDataUrl?.startsWith('s3://')) {
    throw new TerminalError(
      `Training job ${trainingJobName} is Completed but has no model artifact (ModelArtifacts.S3ModelArtifacts); nothing to evaluate`,
    );
  }
  const trainingImage = job.AlgorithmSpecification?.TrainingImage;
  if (!trainingImage) {
    throw new TerminalError(
      `Training job ${trainingJobName} has no AlgorithmSpecification.TrainingImage (an algorithm resource?); the pipeline only evaluates image-based jobs`,
    );
  }

  const request = evaluationJobRequest(config, {
    trainingJobName,
    modelDataUrl,
    trainingImage,
    imageDigest: imageDigest(trainingImage, tags),
  });
  const processingJobName = request.ProcessingJobName ?? '';
  const evaluationUri = evaluationOutputUri(config, trainingJobName);
  try {
    const output = await sagemaker.send(new CreateProcessingJobCommand(request));
    return {
      status: 'started',
      processingJobName,
      processingJobArn: output.ProcessingJobArn,
      trainingJobName,
      evaluationUri,
      imageUri: request.AppSpecification?.ImageUri ?? trainingImage,
    };
  } catch (error) {
    // The name is derived from the training job: in use means an earlier delivery already started it.
    if (awsErrorName(error) === 'ResourceInUse') {
      return { status: 'already-started', processingJobName, trainingJobName, evaluationUri };
    }
    throw error;
  }
}
