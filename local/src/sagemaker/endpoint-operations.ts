import { validationError } from '../aws/errors.js';
import {
  ENDPOINT_STATUSES,
  type Endpoint,
  found,
  listOf,
  notFound,
  type Operations,
  type Plane,
  ROLE_ARN,
  type SimpleResource,
} from './plane.js';
import { arnOf, type Input, millis, seconds, withoutUndefined } from './resources.js';
import { DeploymentError, deploy, stopDeployment } from './serving.js';
import { MODEL_NAME, requireField, validateName } from './validation.js';

const EVENT_ENDPOINT_STATUS: Record<string, string> = {
  Creating: 'CREATING',
  InService: 'IN_SERVICE',
  Updating: 'UPDATING',
  RollingBack: 'ROLLING_BACK',
  Deleting: 'DELETING',
  Failed: 'FAILED',
};

/** The endpoints operations of the control plane. */
export function endpointOperations(plane: Plane): Operations {
  return {
    CreateModel: (input) => {
      const name = validateName(input, 'ModelName', MODEL_NAME);
      const arn = arnOf(plane.context, 'model', name);
      if (plane.models.has(name)) throw validationError(`Cannot create already existing model "${arn}".`);
      if (!input.PrimaryContainer && !input.Containers) {
        throw validationError('Either PrimaryContainer or Containers must be specified.');
      }
      if (input.ExecutionRoleArn !== undefined && !ROLE_ARN.test(String(input.ExecutionRoleArn))) {
        throw validationError(
          `1 validation error detected: Value '${String(input.ExecutionRoleArn)}' at 'executionRoleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
        );
      }
      const now = new Date();
      plane.models.set(name, { name, arn, request: input, creationTime: now, lastModifiedTime: now });
      plane.setTags(arn, input.Tags);
      return { ModelArn: arn };
    },
    DescribeModel: (input) => {
      const name = String(requireField(input, 'ModelName'));
      const model = plane.models.get(name);
      if (!model) throw notFound(`Could not find model "${arnOf(plane.context, 'model', name)}".`);
      return withoutUndefined({
        ModelName: model.name,
        ModelArn: model.arn,
        PrimaryContainer: model.request.PrimaryContainer,
        Containers: model.request.Containers,
        ExecutionRoleArn: model.request.ExecutionRoleArn,
        EnableNetworkIsolation: model.request.EnableNetworkIsolation ?? false,
        CreationTime: seconds(model.creationTime),
      });
    },
    ListModels: (input) =>
      listOf(
        plane.models.values(),
        input,
        'Models',
        (model) => ({
          ModelName: model.name,
          ModelArn: model.arn,
          CreationTime: seconds(model.creationTime),
        }),
        { defaultSortOrder: 'Descending' },
      ),
    DeleteModel: (input) => {
      const name = String(requireField(input, 'ModelName'));
      if (!plane.models.delete(name))
        throw notFound(`Could not find model "${arnOf(plane.context, 'model', name)}".`);
      return {};
    },
    CreateEndpointConfig: (input) => {
      const name = validateName(input, 'EndpointConfigName');
      const arn = arnOf(plane.context, 'endpoint-config', name);
      if (plane.endpointConfigs.has(name))
        throw validationError(`Cannot create already existing endpoint configuration "${arn}".`);
      const variants = requireField<Input[]>(input, 'ProductionVariants');
      if (!Array.isArray(variants) || variants.length === 0) {
        throw validationError(
          "1 validation error detected: Value '[]' at 'productionVariants' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      for (const variant of variants) {
        const modelName = String(variant.ModelName ?? '');
        if (!plane.models.has(modelName))
          throw validationError(`Could not find model "${arnOf(plane.context, 'model', modelName)}".`);
      }
      const now = new Date();
      plane.endpointConfigs.set(name, {
        name,
        arn,
        request: input,
        creationTime: now,
        lastModifiedTime: now,
      });
      plane.setTags(arn, input.Tags);
      return { EndpointConfigArn: arn };
    },
    DescribeEndpointConfig: (input) => {
      const config = endpointConfigOf(plane, String(requireField(input, 'EndpointConfigName')));
      return withoutUndefined({
        EndpointConfigName: config.name,
        EndpointConfigArn: config.arn,
        ProductionVariants: config.request.ProductionVariants,
        DataCaptureConfig: config.request.DataCaptureConfig,
        KmsKeyId: config.request.KmsKeyId,
        CreationTime: seconds(config.creationTime),
      });
    },
    DeleteEndpointConfig: (input) => {
      const name = String(requireField(input, 'EndpointConfigName'));
      endpointConfigOf(plane, name);
      plane.endpointConfigs.delete(name);
      return {};
    },
    CreateEndpoint: (input) => createEndpoint(plane, input),
    UpdateEndpoint: (input) => updateEndpoint(plane, input),
    DescribeEndpoint: (input) =>
      describeEndpoint(plane, endpointOf(plane, String(requireField(input, 'EndpointName')))),
    ListEndpoints: (input) =>
      listOf(
        plane.endpoints.values(),
        input,
        'Endpoints',
        (endpoint) => ({
          EndpointName: endpoint.name,
          EndpointArn: endpoint.arn,
          CreationTime: seconds(endpoint.creationTime),
          LastModifiedTime: seconds(endpoint.lastModifiedTime),
          EndpointStatus: endpoint.status,
        }),
        { defaultSortOrder: 'Descending', statuses: ENDPOINT_STATUSES },
      ),
    DeleteEndpoint: async (input) => {
      const endpoint = endpointOf(plane, String(requireField(input, 'EndpointName')));
      endpoint.status = 'Deleting';
      endpoint.lastModifiedTime = new Date();
      endpointChanged(plane, endpoint);
      plane.endpoints.delete(endpoint.name);
      if (endpoint.live) plane.track(stopDeployment(endpoint.live));
      endpoint.live = undefined;
      return {};
    },
  };
}

function endpointConfigOf(plane: Plane, name: string): SimpleResource {
  return found(
    plane.endpointConfigs.get(name),
    `Could not find endpoint configuration "${arnOf(plane.context, 'endpoint-config', name)}".`,
  );
}

function endpointOf(plane: Plane, name: string): Endpoint {
  return found(
    plane.endpoints.get(name),
    `Could not find endpoint "${arnOf(plane.context, 'endpoint', name)}".`,
  );
}

function modelsByName(plane: Plane): Map<string, Input> {
  return new Map([...plane.models.values()].map((model) => [model.name, model.request] as const));
}

function createEndpoint(plane: Plane, input: Input): Input {
  const name = validateName(input, 'EndpointName');
  const configName = validateName(input, 'EndpointConfigName');
  const arn = arnOf(plane.context, 'endpoint', name);
  if (plane.endpoints.has(name)) throw validationError(`Cannot create already existing endpoint "${arn}".`);
  const config = endpointConfigOf(plane, configName);
  const now = new Date();
  const endpoint: Endpoint = {
    name,
    arn,
    configName,
    status: 'Creating',
    creationTime: now,
    lastModifiedTime: now,
  };
  plane.endpoints.set(name, endpoint);
  plane.setTags(arn, input.Tags);
  endpointChanged(plane, endpoint);
  const settle = plane.settleAfter(plane.context.endpointDeployMs);
  plane.track(
    deploy(plane.context, name, config.request, modelsByName(plane)).then(
      async (deployment) => {
        await settle();
        if (plane.endpoints.get(name) !== endpoint || plane.stopping.aborted) {
          void stopDeployment(deployment);
          return;
        }
        endpoint.live = deployment;
        endpoint.status = 'InService';
        endpoint.lastModifiedTime = new Date();
        endpointChanged(plane, endpoint);
      },
      async (error: Error) => {
        await settle();
        endpoint.status = 'Failed';
        endpoint.failureReason = error.message.slice(0, 1024);
        endpoint.lastModifiedTime = new Date();
        endpointChanged(plane, endpoint);
      },
    ),
  );
  return { EndpointArn: arn };
}

function updateEndpoint(plane: Plane, input: Input): Input {
  const endpoint = endpointOf(plane, String(requireField(input, 'EndpointName')));
  const configName = validateName(input, 'EndpointConfigName');
  if (endpoint.status !== 'InService') {
    throw validationError(`Cannot update in-progress endpoint "${endpoint.arn}".`);
  }
  const config = endpointConfigOf(plane, configName);
  endpoint.status = 'Updating';
  endpoint.pendingConfigName = configName;
  endpoint.lastModifiedTime = new Date();
  endpointChanged(plane, endpoint);
  // AWS's update takes minutes (the time scale), or longer (an injected fault); a new fleet may fail /ping
  const settle = plane.settleAfter(
    Math.max(plane.context.endpointDeployMs, plane.faults.updatingHoldMs(endpoint.name)),
  );
  const failPing = plane.faults.failPingOnUpdate(endpoint.name);
  plane.track(
    deploy(plane.context, endpoint.name, config.request, modelsByName(plane), { failPing }).then(
      async (deployment) => {
        await settle();
        if (plane.stopping.aborted) {
          await stopDeployment(deployment);
          return;
        }
        const old = endpoint.live;
        endpoint.live = deployment;
        endpoint.configName = configName;
        endpoint.pendingConfigName = undefined;
        endpoint.failureReason = undefined;
        endpoint.status = 'InService';
        endpoint.lastModifiedTime = new Date();
        endpointChanged(plane, endpoint);
        if (old) await stopDeployment(old);
      },
      async (error: Error) => {
        await settle();
        // blue/green: the old fleet kept serving; the endpoint returns to it with the reason
        endpoint.pendingConfigName = undefined;
        endpoint.status = 'InService';
        endpoint.failureReason =
          error instanceof DeploymentError ? error.message.slice(0, 1024) : String(error);
        endpoint.lastModifiedTime = new Date();
        endpointChanged(plane, endpoint);
      },
    ),
  );
  return { EndpointArn: endpoint.arn };
}

function productionVariants(
  plane: Plane,
  endpoint: Endpoint,
  time: (date: Date | undefined) => number | undefined,
): Input[] | undefined {
  const config = plane.endpointConfigs.get(endpoint.configName);
  const variants = (config?.request.ProductionVariants as Input[] | undefined) ?? [];
  if (!endpoint.live) return undefined;
  return variants.map((variant) => {
    const live = endpoint.live?.variants.find((candidate) => candidate.variantName === variant.VariantName);
    return withoutUndefined({
      VariantName: variant.VariantName,
      DeployedImages: live
        ? [
            {
              SpecifiedImage: live.specifiedImage,
              ResolvedImage: live.resolvedImage,
              ResolutionTime: time(live.resolutionTime),
            },
          ]
        : undefined,
      CurrentWeight: Number(variant.InitialVariantWeight ?? 1),
      DesiredWeight: Number(variant.InitialVariantWeight ?? 1),
      CurrentInstanceCount: Number(variant.InitialInstanceCount ?? 1),
      DesiredInstanceCount: Number(variant.InitialInstanceCount ?? 1),
    });
  });
}

function describeEndpoint(plane: Plane, endpoint: Endpoint): Input {
  return withoutUndefined({
    EndpointName: endpoint.name,
    EndpointArn: endpoint.arn,
    EndpointConfigName: endpoint.configName,
    ProductionVariants: productionVariants(plane, endpoint, seconds),
    EndpointStatus: endpoint.status,
    FailureReason: endpoint.failureReason,
    CreationTime: seconds(endpoint.creationTime),
    LastModifiedTime: seconds(endpoint.lastModifiedTime),
    PendingDeploymentSummary: endpoint.pendingConfigName
      ? { EndpointConfigName: endpoint.pendingConfigName, StartTime: seconds(endpoint.lastModifiedTime) }
      : undefined,
  });
}

function endpointChanged(plane: Plane, endpoint: Endpoint): void {
  const config = plane.endpointConfigs.get(endpoint.configName);
  const detail = withoutUndefined({
    EndpointName: endpoint.name,
    EndpointArn: endpoint.arn,
    EndpointConfigName: endpoint.configName,
    ProductionVariants: ((config?.request.ProductionVariants as Input[] | undefined) ?? []).map(
      (variant) => ({
        VariantName: variant.VariantName,
        DesiredWeight: Number(variant.InitialVariantWeight ?? 1),
        DesiredInstanceCount: Number(variant.InitialInstanceCount ?? 1),
      }),
    ),
    EndpointStatus: EVENT_ENDPOINT_STATUS[endpoint.status] ?? endpoint.status.toUpperCase(),
    FailureReason: endpoint.failureReason,
    CreationTime: millis(endpoint.creationTime),
    LastModifiedTime: millis(endpoint.lastModifiedTime),
    Tags: plane.tagMap(endpoint.arn),
  });
  plane.context.bus.emit('aws.sagemaker', 'SageMaker Endpoint State Change', detail, [endpoint.arn]);
  plane.context.logger.info(
    'endpoint',
    `${endpoint.name} ${endpoint.status} (${endpoint.pendingConfigName ?? endpoint.configName})${endpoint.failureReason ? `: ${endpoint.failureReason}` : ''}`,
  );
}
