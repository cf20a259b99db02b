/**
 * deploy-model's business function, a reconciler: whatever triggered it (a registry event, its endpoint
 * settling, or the schedule), the endpoint should serve the newest Approved package of the group. The function
 * compares that with what the endpoint serves and, when they differ, creates the version's model and endpoint
 * config, then creates the endpoint or updates it blue/green. So a Rejected event for the live version rolls back
 * to the newest still-Approved one, an Approved event for an older version never downgrades, a redelivered event
 * finds the work done or under way, and an approval that arrives while the endpoint is busy is not lost: the
 * run is a no-op, and the endpoint's settle event (or the schedule) reconciles again once it can act.
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  type SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import type { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { awsErrorName } from '@sagemaker-pipeline/shared/errors';
import type {
  EndpointStateChangeEvent,
  ModelPackageStateChangeEvent,
  ScheduledEvent,
} from '@sagemaker-pipeline/shared/events';
import { newestApproved } from '@sagemaker-pipeline/shared/registry';
import { settleAlert } from './alerts.js';
import type { DeployModelConfig } from './config.js';
import {
  createEndpointConfigRequest,
  createEndpointRequest,
  createModelRequest,
  type DesiredModel,
  deploymentConfig,
  desiredModel,
  endpointConfigName,
  modelName,
} from './requests.js';

export interface Deps {
  sagemaker: SageMakerClient;
  config: DeployModelConfig;
  /** Where a settle event that reports a failure is told to a human. */
  alerts?: Alerts;
}

/** What deploy-model runs on: a registry event, its endpoint's settle event, or its schedule. */
export type DeployModelEvent = ModelPackageStateChangeEvent | EndpointStateChangeEvent | ScheduledEvent;

/** What asked for this reconciliation, echoed in every result for the record. */
export type Trigger =
  | { modelPackageArn: string; approvalStatus: string }
  | { endpointStatus: string; endpointConfigName?: string | undefined }
  | { schedule: string };

/** What the endpoint should serve. */
export interface Target {
  endpointName: string;
  endpointConfigName: string;
  modelPackageArn: string;
  modelPackageVersion: number;
  trigger: Trigger;
}

export type DeployModelResult =
  | { status: 'skipped'; reason: string }
  | { status: 'nothing-to-deploy'; reason: string; endpointName: string; trigger: Trigger }
  | (Target & { status: 'already-serving' })
  | (Target & { status: 'already-deploying'; endpointStatus: string })
  /** The endpoint cannot take an update now; its settle event or the schedule reconciles again. */
  | (Target & { status: 'busy'; endpointStatus: string; reason: string })
  /** The last deployment failed: only a registry event deploys again. */
  | (Target & { status: 'held'; endpointStatus: string; failureReason: string; reason: string })
  | (Target & {
      status: 'deploying';
      /** create: no endpoint yet; update: blue/green; replace-failed: the Failed endpoint is recreated. */
      action: 'create' | 'update' | 'replace-failed';
      modelName: string;
      /** false where a redelivery found the model or config already created under the derived name. */
      created: { model: boolean; endpointConfig: boolean };
      previousEndpointConfigName?: string;
      /** Why the replaced endpoint failed, or why its last update was rolled back. */
      previousFailureReason?: string;
    });

/** Statuses in which SageMaker refuses an update: the run is a no-op, the endpoint's settle event comes later. */
const BUSY_STATUSES = new Set([
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'Deleting',
  'OutOfService',
]);

/** Endpoint statuses of a settle event (the event spells IN_SERVICE what the API spells InService). */
const SETTLED_EVENT_STATUSES = new Set(['IN_SERVICE', 'FAILED', 'UPDATE_ROLLBACK_FAILED']);

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A Describe* of a missing resource: real SageMaker answers ValidationException, the API lists ResourceNotFound. */
function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'ResourceNotFound' ||
    (name === 'ValidationException' && /could not find|not found|does not exist/i.test(messageOf(error)))
  );
}

/** A Create* of a name that exists: ValidationException "Cannot create already existing ..." or ResourceInUse. */
function isAlreadyExisting(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'ResourceInUse' || (name === 'ValidationException' && /already exist/i.test(messageOf(error)))
  );
}

/** Sends a Create*; true when it created the resource, false when a resource of that name already exists. */
async function createOnce(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (isAlreadyExisting(error)) return false;
    throw error;
  }
}

/** The newest Approved version of the group, described, or undefined when the group has none. */
/**
 * Why the endpoint's last deployment failed, when it did: a Failed endpoint, an update whose rollback failed,
 * or an InService endpoint whose last update was rolled back (its FailureReason stays until an update succeeds).
 */
function failureOf(endpoint: DescribeEndpointCommandOutput): string | undefined {
  const status = endpoint.EndpointStatus;
  if (status === 'Failed' || status === 'UpdateRollbackFailed')
    return endpoint.FailureReason ?? `${status}, no reason given`;
  return status === 'InService' ? endpoint.FailureReason || undefined : undefined;
}

/** The no-op result for an endpoint that cannot take the deployment now. */
function busy(target: Target, endpointStatus: string, why: string, model: DesiredModel): DeployModelResult {
  return {
    ...target,
    status: 'busy',
    endpointStatus,
    reason: `${why}; version ${model.version} of ${model.groupName} is deployed when it settles (its state change event, or the reconcile schedule)`,
  };
}

/** The newest Approved version of the group as a model to deploy, or undefined when the group has none. */
export async function newestApprovedModel(
  sagemaker: SageMakerClient,
  groupName: string,
): Promise<DesiredModel | undefined> {
  const newest = await newestApproved(sagemaker, groupName, 'deploying');
  return newest && desiredModel(newest.pkg);
}

async function describeEndpoint(
  sagemaker: SageMakerClient,
  name: string,
): Promise<DescribeEndpointCommandOutput | undefined> {
  try {
    return await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Creates the endpoint; false when one of that name exists already (created meanwhile, or still deleting). */
function createEndpoint(
  sagemaker: SageMakerClient,
  config: DeployModelConfig,
  model: DesiredModel,
): Promise<boolean> {
  return createOnce(() => sagemaker.send(new CreateEndpointCommand(createEndpointRequest(config, model))));
}

/**
 * Why this event asks for a reconciliation, or why it does not (another group or endpoint, a package pending
 * manual approval, an endpoint that has not settled yet).
 */
export function triggerOf(
  event: DeployModelEvent,
  config: DeployModelConfig,
): { trigger: Trigger } | { skip: string } {
  switch (event['detail-type']) {
    case 'SageMaker Model Package State Change': {
      const { detail } = event;
      if (detail.ModelPackageGroupName !== config.MODEL_REGISTRY_NAME) {
        return {
          skip: `model package group ${detail.ModelPackageGroupName}; this pipeline deploys ${config.MODEL_REGISTRY_NAME}`,
        };
      }
      if (detail.ModelApprovalStatus === 'PendingManualApproval') {
        return {
          skip: `model package ${detail.ModelPackageArn} is pending manual approval, which changes no deployment`,
        };
      }
      return {
        trigger: { modelPackageArn: detail.ModelPackageArn, approvalStatus: detail.ModelApprovalStatus },
      };
    }
    case 'SageMaker Endpoint State Change': {
      const { detail } = event;
      if (detail.EndpointName !== config.ENDPOINT_NAME) {
        return { skip: `endpoint ${detail.EndpointName}; this pipeline deploys ${config.ENDPOINT_NAME}` };
      }
      if (!SETTLED_EVENT_STATUSES.has(detail.EndpointStatus)) {
        return { skip: `endpoint ${detail.EndpointName} is ${detail.EndpointStatus}, not settled` };
      }
      return {
        trigger: { endpointStatus: detail.EndpointStatus, endpointConfigName: detail.EndpointConfigName },
      };
    }
    case 'Scheduled Event':
      return { trigger: { schedule: event.resources[0] ?? 'schedule' } };
  }
}

export async function deployModel(
  event: DeployModelEvent,
  deps: Deps,
): Promise<DeployModelResult & { alert?: string }> {
  const why = triggerOf(event, deps.config);
  if ('skip' in why) return { status: 'skipped', reason: why.skip };
  const result = await reconcile(why.trigger, deps);
  const alert =
    event['detail-type'] === 'SageMaker Endpoint State Change'
      ? settleAlert(event, result, deps.config)
      : undefined;
  if (!alert || !deps.alerts) return result;
  return { ...result, alert: (await deps.alerts.publish(alert)).subject };
}

/** Makes the endpoint serve the newest Approved package, or says why it already does or cannot now. */
export async function reconcile(trigger: Trigger, { sagemaker, config }: Deps): Promise<DeployModelResult> {
  const endpointName = config.ENDPOINT_NAME;

  const model = await newestApprovedModel(sagemaker, config.MODEL_REGISTRY_NAME);
  if (!model) {
    return {
      status: 'nothing-to-deploy',
      reason: `no Approved model package in group ${config.MODEL_REGISTRY_NAME}; endpoint ${endpointName} is left as it is`,
      endpointName,
      trigger,
    };
  }
  const target: Target = {
    endpointName,
    endpointConfigName: endpointConfigName(config, model),
    modelPackageArn: model.arn,
    modelPackageVersion: model.version,
    trigger,
  };

  const endpoint = await describeEndpoint(sagemaker, endpointName);
  const status = endpoint?.EndpointStatus;
  if (endpoint && status !== 'Failed') {
    if (status === 'InService' && endpoint.EndpointConfigName === target.endpointConfigName) {
      return { ...target, status: 'already-serving' };
    }
    const deploying =
      status === 'Creating'
        ? endpoint.EndpointConfigName
        : endpoint.PendingDeploymentSummary?.EndpointConfigName;
    if ((status === 'Creating' || status === 'Updating') && deploying === target.endpointConfigName) {
      return { ...target, status: 'already-deploying', endpointStatus: status };
    }
    if (status && BUSY_STATUSES.has(status)) {
      return busy(
        target,
        status,
        `endpoint ${endpointName} is ${status}${deploying ? ` (deploying ${deploying})` : ''}`,
        model,
      );
    }
  }
  // A deployment that failed is not tried again by the settle event or the schedule (it would fail again, every
  // few minutes, at the price of a fleet each time): a human is alerted, and the next registry event (a version
  // approved or rejected) deploys again.
  const failure = endpoint && failureOf(endpoint);
  if (failure && !('modelPackageArn' in trigger)) {
    return {
      ...target,
      status: 'held',
      endpointStatus: status ?? 'unknown',
      failureReason: failure,
      reason: `the last deployment of endpoint ${endpointName} failed (${failure}); version ${model.version} is deployed again on the next registry event (a version approved or rejected), not automatically`,
    };
  }

  const created = {
    model: await createOnce(() => sagemaker.send(new CreateModelCommand(createModelRequest(config, model)))),
    endpointConfig: await createOnce(() =>
      sagemaker.send(new CreateEndpointConfigCommand(createEndpointConfigRequest(config, model))),
    ),
  };
  const deployed = { ...target, modelName: modelName(config.PIPELINE_NAME, model), created };

  if (!endpoint) {
    if (!(await createEndpoint(sagemaker, config, model))) {
      return busy(target, 'Creating', `endpoint ${endpointName} was created by another run meanwhile`, model);
    }
    return { ...deployed, status: 'deploying', action: 'create' };
  }

  const previous = {
    ...(endpoint.EndpointConfigName ? { previousEndpointConfigName: endpoint.EndpointConfigName } : {}),
    ...(endpoint.FailureReason ? { previousFailureReason: endpoint.FailureReason } : {}),
  };
  if (status === 'Failed') {
    // A Failed endpoint cannot be updated: it is deleted and created again on the desired config. Deletion
    // is asynchronous on AWS, so the create may find it still there; the schedule's next run then creates it.
    try {
      await sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpointName }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!(await createEndpoint(sagemaker, config, model))) {
      return busy(
        target,
        'Deleting',
        `endpoint ${endpointName} was Failed (${endpoint.FailureReason ?? 'no reason given'}) and is still being deleted`,
        model,
      );
    }
    return { ...deployed, ...previous, status: 'deploying', action: 'replace-failed' };
  }

  try {
    await sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: endpointName,
        EndpointConfigName: target.endpointConfigName,
        DeploymentConfig: deploymentConfig(config),
      }),
    );
  } catch (error) {
    if (awsErrorName(error) === 'ValidationException' && /in-progress/i.test(messageOf(error))) {
      return busy(
        target,
        'Updating',
        `endpoint ${endpointName} started another deployment meanwhile (${messageOf(error)})`,
        model,
      );
    }
    throw error;
  }
  return { ...deployed, ...previous, status: 'deploying', action: 'update' };
}
