/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around `retrain`.
 * The result keeps `batchItemFailures` at the top level: with ReportBatchItemFailures, that is the partial batch
 * response Lambda reads to tell SQS which records to deliver again.
 *
 * An event that fails the SQS envelope schema gets the middleware's `{status: 'invalid'}` result, which Lambda
 * takes as a success: the whole batch is acknowledged. Lambda's SQS poller builds the envelope itself, so such an
 * event can only come from a manual invocation, where there is no queue to deliver it again.
 */
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig, retrainModelEnv } from '@sagemaker-pipeline/shared/config';
import { S3SqsEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { retrain, STAGE } from './retrain.js';

const config = loadConfig(retrainModelEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);

const MESSAGES = {
  skipped: 'Batch skipped: no new training data',
  deferred: 'A training job is running: new data deferred to the next delivery',
  failed: 'Batch not processed: it will be delivered again',
  started: 'Retraining job started',
  'already-started': 'Retraining job already started by an earlier delivery',
} as const;

export const main = createStageHandler({
  schema: S3SqsEventSchema,
  logger,
  correlationKeys: (event) => ({
    messages: event.Records.length,
    queue: event.Records[0]?.eventSourceARN,
  }),
  handler: async (event) => {
    const result = await retrain(event, { sagemaker, config });
    const level = result.status === 'failed' || result.rejected ? 'error' : 'info';
    logger[level](MESSAGES[result.status], { result });
    return result;
  },
});
