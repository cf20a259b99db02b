/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `registerModelOrSweep`. Two kinds of event run it: an evaluation job's state change and its sweep schedule.
 */
import { Alerts, createSnsClient } from '@sagemaker-pipeline/shared/alerts';
import { createS3Client, createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  oneOfEvents,
  ProcessingJobStateChangeEventSchema,
  ScheduledEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { registerModelEnv } from './config.js';
import { type RegisterModelResult, STAGE } from './register.js';
import { type RegisterModelEvent, registerModelOrSweep } from './register-model.js';
import type { SweepResult } from './sweep.js';

const config = loadConfig(registerModelEnv);
const sagemaker = createSageMakerClient();
const s3 = createS3Client();
const logger = createLogger(STAGE);
const alerts = new Alerts(createSnsClient(), config.ALERT_TOPIC_ARN, logger);

const RegisterModelEventSchema = oneOfEvents([ProcessingJobStateChangeEventSchema, ScheduledEventSchema]);

/** The keys that tie this invocation's log lines to its event. */
function correlationKeys(event: RegisterModelEvent): Record<string, unknown> {
  switch (event['detail-type']) {
    case 'SageMaker Processing Job State Change':
      return {
        eventId: event.id,
        evaluationJobName: event.detail.ProcessingJobName,
        evaluationJobStatus: event.detail.ProcessingJobStatus,
      };
    case 'Scheduled Event':
      return { eventId: event.id, schedule: event.resources[0] };
  }
}

const MESSAGES = {
  skipped: 'Event skipped',
  registered: 'Model registered',
  'already-registered': 'Model already registered by an earlier delivery; decision.json recorded',
  'already-decided': 'Evaluation already decided by an earlier delivery; decision.json unchanged',
  rejected: 'Model rejected by the gate; decision.json written',
} as const;

function logResult(result: RegisterModelResult | SweepResult): void {
  if (result.status !== 'swept') {
    logger.info(MESSAGES[result.status], { result });
  } else if (result.failed.length > 0) {
    logger.error(
      `Sweep: ${result.failed.length} evaluation(s) failed or could not be decided, ${result.missing} of ${result.checked} completed ones had no decision`,
      { result },
    );
  } else {
    logger.info(`Sweep: ${result.missing} of ${result.checked} completed evaluations had no decision`, {
      result,
    });
  }
}

export const main = createStageHandler({
  schema: RegisterModelEventSchema,
  logger,
  correlationKeys,
  handler: (event) => registerModelOrSweep(event, { sagemaker, s3, config, alerts }),
  logResult,
});
