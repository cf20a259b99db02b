/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `evaluateModel`. Two kinds of event run it: a training job's state change and its sweep schedule.
 */
import { Alerts, createSnsClient } from '@sagemaker-pipeline/shared/alerts';
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  oneOfEvents,
  ScheduledEventSchema,
  TrainingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { evaluateModelEnv } from './config.js';
import { type EvaluateModelEvent, evaluateModel } from './evaluate-model.js';
import { type EvaluateModelResult, STAGE } from './start-evaluation.js';
import type { SweepResult } from './sweep.js';

const config = loadConfig(evaluateModelEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);
const alerts = new Alerts(createSnsClient(), config.ALERT_TOPIC_ARN, logger);

const EvaluateModelEventSchema = oneOfEvents([TrainingJobStateChangeEventSchema, ScheduledEventSchema]);

/** The keys that tie this invocation's log lines to its event. */
function correlationKeys(event: EvaluateModelEvent): Record<string, unknown> {
  switch (event['detail-type']) {
    case 'SageMaker Training Job State Change':
      return {
        eventId: event.id,
        trainingJobName: event.detail.TrainingJobName,
        trainingJobStatus: event.detail.TrainingJobStatus,
      };
    case 'Scheduled Event':
      return { eventId: event.id, schedule: event.resources[0] };
  }
}

function logResult(result: EvaluateModelResult | SweepResult): void {
  switch (result.status) {
    case 'training-failed':
      logger.warn(`Training job ${result.trainingJobName} ${result.trainingJobStatus}; nothing to evaluate`, {
        result,
      });
      return;
    case 'swept':
      if (result.failed.length > 0) {
        logger.error(
          `Sweep: ${result.failed.length} of ${result.missing} missing evaluations could not be started`,
          { result },
        );
      } else {
        logger.info(
          `Sweep: ${result.missing} of ${result.checked} completed training jobs had no evaluation`,
          {
            result,
          },
        );
      }
      return;
    default:
      logger.info(result.status === 'skipped' ? 'Event skipped' : 'Evaluation job requested', { result });
  }
}

export const main = createStageHandler({
  schema: EvaluateModelEventSchema,
  logger,
  correlationKeys,
  handler: (event) => evaluateModel(event, { sagemaker, config, alerts }),
  logResult,
});
