/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `registerModel`.
 */
import { createS3Client, createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig, registerModelEnv } from '@sagemaker-pipeline/shared/config';
import { ProcessingJobStateChangeEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { registerModel, STAGE } from './register-model.js';

const config = loadConfig(registerModelEnv);
const sagemaker = createSageMakerClient();
const s3 = createS3Client();
const logger = createLogger(STAGE);

export const main = createStageHandler({
  schema: ProcessingJobStateChangeEventSchema,
  logger,
  correlationKeys: (event) => ({
    eventId: event.id,
    evaluationJobName: event.detail.ProcessingJobName,
    evaluationJobStatus: event.detail.ProcessingJobStatus,
  }),
  handler: async (event) => {
    const result = await registerModel(event, { sagemaker, s3, config });
    const messages = {
      skipped: 'Event skipped',
      registered: 'Model registered',
      'already-registered': 'Model already registered by an earlier delivery',
      'already-decided': 'Evaluation already decided by an earlier delivery; decision.json unchanged',
      rejected: 'Model rejected by the gate; decision.json written',
    } as const;
    logger.info(messages[result.status], { result });
    return result;
  },
});
