/**
 * trigger-training's business function: a successful push to the pipeline's repository starts one
 * training job on the pushed image, by digest. The job name is derived from the repository and digest, so
 * a redelivered event, or the same image pushed again under another tag, never starts a second job.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { JOB_TAGS } from '@sagemaker-pipeline/shared/contracts';
import { awsErrorName, TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { EcrImageActionEvent } from '@sagemaker-pipeline/shared/events';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import {
  type StartTrainingOutcome,
  startTrainingJob,
  trainingJobRequest,
} from '@sagemaker-pipeline/shared/training';
import type { TriggerTrainingConfig } from './config.js';

export const STAGE = 'trigger-training';

export interface Deps {
  sagemaker: SageMakerClient;
  config: TriggerTrainingConfig;
}

export type TriggerTrainingResult =
  | { status: 'skipped'; reason: string }
  | (StartTrainingOutcome & { imageUri: string });

/** The image URI by digest, in the registry of the account and region that sent the event. */
export function imageUriByDigest(event: EcrImageActionEvent): string {
  const domain = event.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const { 'repository-name': repository, 'image-digest': digest } = event.detail;
  return `${event.account}.dkr.ecr.${event.region}.${domain}/${repository}@${digest}`;
}

export function trainingJobName(pipeline: string, event: EcrImageActionEvent): string {
  return resourceName(
    pipeline,
    'train',
    `${event.detail['repository-name']}@${event.detail['image-digest']}`,
  );
}

export async function startTraining(
  event: EcrImageActionEvent,
  { sagemaker, config }: Deps,
): Promise<TriggerTrainingResult> {
  const { detail } = event;
  if (detail['repository-name'] !== config.ECR_REPOSITORY_NAME) {
    return {
      status: 'skipped',
      reason: `image pushed to repository ${detail['repository-name']}; this pipeline trains from ${config.ECR_REPOSITORY_NAME}`,
    };
  }
  if (detail['action-type'] !== 'PUSH') {
    return { status: 'skipped', reason: `image action ${detail['action-type']} starts no training` };
  }
  if (detail.result !== 'SUCCESS') {
    return { status: 'skipped', reason: `image push did not succeed (result ${detail.result})` };
  }

  const imageUri = imageUriByDigest(event);
  const request = trainingJobRequest(config, {
    name: trainingJobName(config.PIPELINE_NAME, event),
    imageUri,
    stage: STAGE,
    lineage: {
      [JOB_TAGS.imageDigest]: detail['image-digest'],
      'image-tag': detail['image-tag'],
      repository: detail['repository-name'],
      'trigger-event': event.id,
    },
  });
  try {
    const outcome = await startTrainingJob(sagemaker, request);
    return { ...outcome, imageUri };
  } catch (error) {
    // An account quota used up: SageMaker created nothing, and no retry within Lambda's minutes will raise the
    // quota, so it is reported as a terminal failure that says what to do, not retried and then dropped.
    if (awsErrorName(error) === 'ResourceLimitExceeded') {
      throw new TerminalError(
        `CreateTrainingJob ${request.TrainingJobName} refused with ResourceLimitExceeded: ${(error as Error).message} ` +
          'No training job was created: raise the quota (AWS Service Quotas) or wait for running jobs to end, then push the image again.',
      );
    }
    throw error;
  }
}
