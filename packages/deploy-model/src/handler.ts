/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `deployModel`. Three kinds of event run it: the registry's, its endpoint's settle events and its schedule.
 */
import { Alerts, createSnsClient } from '@sagemaker-pipeline/shared/alerts';
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  EndpointStateChangeEventSchema,
  ModelPackageStateChangeEventSchema,
  oneOfEvents,
  ScheduledEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { deployModelEnv } from './config.js';
import { type DeployModelEvent, type DeployModelResult, deployModel } from './deploy-model.js';
import { STAGE } from './requests.js';

const config = loadConfig(deployModelEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);
const alerts = new Alerts(createSnsClient(), config.ALERT_TOPIC_ARN, logger);

function logResult(result: DeployModelResult): void {
  switch (result.status) {
    case 'skipped':
      logger.info('Event skipped', { result });
      return;
    case 'nothing-to-deploy':
      logger.warn('No Approved model package to deploy', { result });
      return;
    case 'deploying':
      if (result.action === 'replace-failed') {
        logger.error(
          `Endpoint ${result.endpointName} was Failed: ${result.previousFailureReason ?? 'no reason given'}; replacing it`,
          { result },
        );
        return;
      }
      logger.info(`Deploying version ${result.modelPackageVersion} to ${result.endpointName}`, { result });
      return;
    case 'already-serving':
      logger.info(`Endpoint ${result.endpointName} already serves version ${result.modelPackageVersion}`, {
        result,
      });
      return;
    case 'already-deploying':
      logger.info(
        `Endpoint ${result.endpointName} is already deploying version ${result.modelPackageVersion}`,
        { result },
      );
      return;
    case 'busy':
      logger.info(`Endpoint ${result.endpointName} is ${result.endpointStatus}: nothing to do now`, {
        result,
      });
  }
}

const DeployModelEventSchema = oneOfEvents([
  ModelPackageStateChangeEventSchema,
  EndpointStateChangeEventSchema,
  ScheduledEventSchema,
]);

/** The keys that tie this invocation's log lines to its event. */
function correlationKeys(event: DeployModelEvent): Record<string, unknown> {
  const keys = { eventId: event.id, endpointName: config.ENDPOINT_NAME };
  switch (event['detail-type']) {
    case 'SageMaker Model Package State Change':
      return {
        ...keys,
        modelPackageArn: event.detail.ModelPackageArn,
        modelApprovalStatus: event.detail.ModelApprovalStatus,
      };
    case 'SageMaker Endpoint State Change':
      return { ...keys, endpointStatus: event.detail.EndpointStatus };
    case 'Scheduled Event':
      return { ...keys, schedule: event.resources[0] };
  }
}

export const main = createStageHandler({
  schema: DeployModelEventSchema,
  logger,
  correlationKeys,
  handler: (event) => deployModel(event, { sagemaker, config, alerts }),
  logResult,
});
