/**
 * What deploy-model tells a human: its endpoint settled in failure (a creation that failed, an update rolled
 * back, a rollback that failed). deploy-model does not retry such a deployment by itself (the settle event and
 * the schedule would only fail again), so the alert says how to make it try again.
 */
import type { Alert } from '@sagemaker-pipeline/shared/alerts';
import type { EndpointStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import type { DeployModelConfig } from './config.js';
import type { DeployModelResult } from './deploy-model.js';

/** The alert for a settle event that reports a failure, or undefined when the endpoint settled fine. */
export function settleAlert(
  event: EndpointStateChangeEvent,
  result: DeployModelResult,
  config: DeployModelConfig,
): Alert | undefined {
  const {
    EndpointName: endpoint,
    EndpointStatus: status,
    EndpointConfigName: live,
    FailureReason,
  } = event.detail;
  const failed = status === 'FAILED' || status === 'UPDATE_ROLLBACK_FAILED' || Boolean(FailureReason);
  if (!failed || endpoint !== config.ENDPOINT_NAME) return undefined;
  const version =
    'modelPackageVersion' in result
      ? `version ${result.modelPackageVersion} of ${config.MODEL_REGISTRY_NAME}`
      : `the newest Approved version of ${config.MODEL_REGISTRY_NAME}`;
  const logs = `the endpoint's logs (CloudWatch /aws/sagemaker/Endpoints/${endpoint})`;
  const retry = `deploy-model does not retry it by itself: approve a fixed version (or reject the failing one), and the registry's event deploys the newest Approved version again`;
  const common = {
    pipeline: config.PIPELINE_NAME,
    why: FailureReason || 'SageMaker gave no failure reason',
    resources: {
      endpoint,
      'endpoint config': live,
      'model package': 'modelPackageArn' in result ? result.modelPackageArn : undefined,
    },
  };
  switch (status) {
    case 'FAILED':
      return {
        ...common,
        title: `Endpoint ${endpoint} failed`,
        what: `Endpoint ${endpoint} is Failed${live ? ` on ${live}` : ''} and serves nothing; the pipeline wants it to serve ${version}.`,
        next: `Read ${logs}. ${retry}; it replaces the Failed endpoint.`,
      };
    case 'UPDATE_ROLLBACK_FAILED':
      return {
        ...common,
        title: `Endpoint ${endpoint} update and rollback failed`,
        what: `An update of endpoint ${endpoint} failed, and so did its rollback: it serves a mix of the old and new configurations.`,
        next: `Read ${logs}, then bring it back to one configuration (UpdateEndpoint to a known config, as in SageMaker's guide to rolling deployments). ${retry}.`,
      };
    default:
      return {
        ...common,
        title: `Endpoint ${endpoint} update rolled back`,
        what: `An update of endpoint ${endpoint} to ${version} was rolled back; it still serves ${live ?? 'its previous configuration'}.`,
        next: `Read ${logs}. ${retry}.`,
      };
  }
}
