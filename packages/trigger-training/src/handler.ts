/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `startTraining`.
 */
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { EcrImageActionEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { triggerTrainingEnv } from './config.js';
import { STAGE, startTraining } from './trigger-training.js';

const config = loadConfig(triggerTrainingEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);

export const main = createStageHandler({
  schema: EcrImageActionEventSchema,
  logger,
  correlationKeys: (event) => ({
    eventId: event.id,
    repository: event.detail['repository-name'],
    imageDigest: event.detail['image-digest'],
  }),
  handler: (event) => startTraining(event, { sagemaker, config }),
  logResult: (result) =>
    logger.info(result.status === 'skipped' ? 'Push skipped' : 'Training job requested', { result }),
});
