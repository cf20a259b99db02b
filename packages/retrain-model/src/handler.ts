/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `retrainOrSweep`. Two kinds of event run it: a batch from the retrain queue and its sweep schedule.
 * A batch's result keeps `batchItemFailures` at the top level: with ReportBatchItemFailures, that is the partial
 * batch response Lambda reads to tell SQS which records to deliver again.
 *
 * An event that fails the SQS envelope schema gets the middleware's `{status: 'invalid'}` result, which Lambda
 * takes as a success: the whole batch is acknowledged. Lambda's SQS poller builds the envelope itself, so such an
 * event can only come from a manual invocation, where there is no queue to deliver it again.
 */
import { createS3Client, createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { eventBridgeOr, S3SqsEventSchema, ScheduledEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { retrainModelEnv } from './config.js';
import { type RetrainResult, STAGE } from './retrain.js';
import { isScheduled, type RetrainModelEvent, retrainOrSweep } from './retrain-model.js';
import type { SweepResult } from './sweep.js';

const config = loadConfig(retrainModelEnv);
const sagemaker = createSageMakerClient();
const s3 = createS3Client();
const logger = createLogger(STAGE);

const MESSAGES = {
  skipped: 'Batch skipped: no new training data',
  deferred: 'A training job is running: new data deferred to the next delivery',
  failed: 'Batch not processed: it will be delivered again',
  started: 'Retraining job started',
  'already-started': 'Retraining job already started by an earlier delivery',
} as const;

const SWEEP_MESSAGES = {
  covered: 'Sweep: every object of the training data is covered by a completed training job',
  'in-progress': 'Sweep: a training job is running; the next sweep looks again',
  'no-data': 'Sweep: no training data',
  started: 'Sweep: retraining job started for training data no job covers',
  'already-started': 'Sweep: the retraining of the uncovered training data was started already',
  failed: 'Sweep: the retraining of the uncovered training data could not be started',
} as const;

/** The keys that tie this invocation's log lines to its event. */
function correlationKeys(event: RetrainModelEvent): Record<string, unknown> {
  return isScheduled(event)
    ? { eventId: event.id, schedule: event.resources[0] }
    : { messages: event.Records.length, queue: event.Records[0]?.eventSourceARN };
}

function logResult(result: RetrainResult | SweepResult): void {
  if (result.status === 'swept') {
    logger[result.outcome === 'failed' ? 'error' : 'info'](SWEEP_MESSAGES[result.outcome], { result });
    return;
  }
  const level = result.status === 'failed' || result.rejected ? 'error' : 'info';
  logger[level](MESSAGES[result.status], { result });
}

export const main = createStageHandler({
  schema: eventBridgeOr(ScheduledEventSchema, S3SqsEventSchema),
  logger,
  correlationKeys,
  handler: (event) => retrainOrSweep(event, { sagemaker, s3, config }),
  logResult,
});
