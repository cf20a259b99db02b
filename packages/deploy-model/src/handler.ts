/**
 * The deployed Lambda handler: configuration and clients at cold start, the shared middy stack around
 * `deployModel`.
 */
import { createSageMakerClient } from '@sagemaker-pipeline/shared/clients';
import { deployModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';
import { ModelPackageStateChangeEventSchema } from '@sagemaker-pipeline/shared/events';
import { createLogger, createStageHandler } from '@sagemaker-pipeline/shared/middleware';
import { type DeployModelResult, deployModel } from './deploy-model.js';
import { STAGE } from './requests.js';

const config = loadConfig(deployModelEnv);
const sagemaker = createSageMakerClient();
const logger = createLogger(STAGE);

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
  }
}

export const main = createStageHandler({
  schema: ModelPackageStateChangeEventSchema,
  logger,
  correlationKeys: (event) => ({
    eventId: event.id,
    modelPackageArn: event.detail.ModelPackageArn,
    modelApprovalStatus: event.detail.ModelApprovalStatus,
    endpointName: config.ENDPOINT_NAME,
  }),
  handler: async (event) => {
    const result = await deployModel(event, { sagemaker, config });
    logResult(result);
    return result;
  },
});
