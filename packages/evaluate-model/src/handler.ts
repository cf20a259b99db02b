/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `startEvaluation`.
 */
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { evaluateModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';
import { TrainingJobStateChangeEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { STAGE, startEvaluation } from './start-evaluation.js';

const config = loadConfig(evaluateModelEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);

export const main = createStageHandler({
  schema: TrainingJobStateChangeEventSchema,
  logger,
  correlationKeys: (event) => ({
    eventId: event.id,
    trainingJobName: event.detail.TrainingJobName,
    trainingJobStatus: event.detail.TrainingJobStatus,
  }),
  handler: async (event) => {
    const result = await startEvaluation(event, { sagemaker, config });
    if (result.status === 'training-failed') {
      logger.warn(`Training job ${result.trainingJobName} ${result.trainingJobStatus}; nothing to evaluate`, {
        result,
      });
    } else {
      logger.info(result.status === 'skipped' ? 'Event skipped' : 'Evaluation job requested', { result });
    }
    return result;
  },
});
