/**
 * The SageMaker requests of deploy-model, built from a model package version and the configuration. Names
 * are derived from the version, so a redelivered event derives the same model and endpoint config and
 * creates nothing new; every created resource carries the pipeline's lineage tags.
 */
import type {
  ContainerDefinition,
  CreateEndpointCommandInput,
  CreateEndpointConfigCommandInput,
  CreateModelCommandInput,
  DeploymentConfig,
  DescribeModelPackageCommandOutput,
  ProductionVariantInstanceType,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { LINEAGE_TAGS } from '@sagemaker-pipeline/shared/contracts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import type { DeployModelConfig } from './config.js';

export const STAGE = 'deploy-model';
/** The one production variant of the endpoint. */
export const VARIANT_NAME = 'AllTraffic';

/** The model package version the endpoint should serve. */
export interface DesiredModel {
  groupName: string;
  version: number;
  arn: string;
  containers: ContainerDefinition[];
  imageDigest?: string;
}

/**
 * What to deploy from a DescribeModelPackage answer: the inference containers (image, model data,
 * environment) exactly as registered. A package without an inference container cannot be served, whatever
 * the retries, so that is a terminal fault.
 */
export function desiredModel(pkg: DescribeModelPackageCommandOutput): DesiredModel {
  const arn = pkg.ModelPackageArn ?? '';
  const version = pkg.ModelPackageVersion ?? Number(arn.slice(arn.lastIndexOf('/') + 1));
  if (!pkg.ModelPackageGroupName || !Number.isInteger(version) || version < 1) {
    throw new TerminalError(`Model package ${arn} is not a version of a model package group`);
  }
  const registered = pkg.InferenceSpecification?.Containers ?? [];
  if (registered.length === 0 || registered.some((container) => !container.Image)) {
    throw new TerminalError(
      `Model package ${arn} has no inference container image to deploy (InferenceSpecification.Containers)`,
    );
  }
  const containers = registered.map(
    ({ Image, ModelDataUrl, Environment }): ContainerDefinition => ({
      Image,
      ...(ModelDataUrl ? { ModelDataUrl } : {}),
      ...(Environment && Object.keys(Environment).length ? { Environment } : {}),
    }),
  );
  const imageDigest = registered[0]?.ImageDigest;
  return {
    groupName: pkg.ModelPackageGroupName,
    version,
    arn,
    containers,
    ...(imageDigest ? { imageDigest } : {}),
  };
}

export function modelName(pipeline: string, model: Pick<DesiredModel, 'groupName' | 'version'>): string {
  return resourceName(pipeline, 'model', `${model.groupName}/${model.version}`);
}

/**
 * The config also depends on the variant's instance type and count: changing either derives a new config,
 * which the next event then deploys, instead of reusing a config that no longer matches the settings.
 */
export function endpointConfigName(
  config: DeployModelConfig,
  model: Pick<DesiredModel, 'groupName' | 'version'>,
): string {
  return resourceName(
    config.PIPELINE_NAME,
    'endpoint-config',
    `${model.groupName}/${model.version}/${config.ENDPOINT_INSTANCE_TYPE}/${config.ENDPOINT_INSTANCE_COUNT}`,
  );
}

function baseTags(config: DeployModelConfig): Tag[] {
  return [
    { Key: 'pipeline', Value: config.PIPELINE_NAME },
    { Key: 'stage', Value: STAGE },
  ];
}

/** Lineage of a model or endpoint config: which package version of which group it serves. */
export function lineageTags(config: DeployModelConfig, model: DesiredModel): Tag[] {
  return [
    ...baseTags(config),
    { Key: LINEAGE_TAGS.group, Value: model.groupName },
    { Key: LINEAGE_TAGS.version, Value: String(model.version) },
    { Key: LINEAGE_TAGS.arn, Value: model.arn },
    ...(model.imageDigest ? [{ Key: LINEAGE_TAGS.imageDigest, Value: model.imageDigest }] : []),
  ];
}

/**
 * The model runs the registered containers themselves (image and model data) rather than
 * `ModelPackageName`: both AWS and the offline stack serve that, and the model stays what was evaluated.
 */
export function createModelRequest(config: DeployModelConfig, model: DesiredModel): CreateModelCommandInput {
  const [primary, ...others] = model.containers;
  return {
    ModelName: modelName(config.PIPELINE_NAME, model),
    ExecutionRoleArn: config.SAGEMAKER_ROLE,
    ...(others.length === 0 ? { PrimaryContainer: primary } : { Containers: model.containers }),
    Tags: lineageTags(config, model),
  };
}

export function createEndpointConfigRequest(
  config: DeployModelConfig,
  model: DesiredModel,
): CreateEndpointConfigCommandInput {
  return {
    EndpointConfigName: endpointConfigName(config, model),
    ProductionVariants: [
      {
        VariantName: VARIANT_NAME,
        ModelName: modelName(config.PIPELINE_NAME, model),
        InstanceType: config.ENDPOINT_INSTANCE_TYPE as ProductionVariantInstanceType,
        InitialInstanceCount: config.ENDPOINT_INSTANCE_COUNT,
        InitialVariantWeight: 1,
      },
    ],
    Tags: lineageTags(config, model),
  };
}

/** The endpoint's own tags say whose it is; what it serves changes with every update, so it is not a tag. */
export function createEndpointRequest(
  config: DeployModelConfig,
  model: DesiredModel,
): CreateEndpointCommandInput {
  return {
    EndpointName: config.ENDPOINT_NAME,
    EndpointConfigName: endpointConfigName(config, model),
    Tags: baseTags(config),
  };
}

/**
 * Blue/green update policy: all at once by default, canary or linear traffic shifting when configured, and
 * automatic rollback on the configured CloudWatch alarms.
 */
export function deploymentConfig(config: DeployModelConfig): DeploymentConfig {
  const routing = config.DEPLOYMENT_TRAFFIC_ROUTING;
  const step = { Type: config.DEPLOYMENT_STEP_TYPE, Value: config.DEPLOYMENT_STEP_SIZE };
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: routing,
        WaitIntervalInSeconds: config.DEPLOYMENT_WAIT_SECONDS,
        ...(routing === 'CANARY' ? { CanarySize: step } : {}),
        ...(routing === 'LINEAR' ? { LinearStepSize: step } : {}),
      },
      TerminationWaitInSeconds: config.DEPLOYMENT_TERMINATION_WAIT_SECONDS,
      MaximumExecutionTimeoutInSeconds: config.DEPLOYMENT_MAX_EXECUTION_SECONDS,
    },
    ...(config.ROLLBACK_ALARMS.length
      ? { AutoRollbackConfiguration: { Alarms: config.ROLLBACK_ALARMS.map((AlarmName) => ({ AlarmName })) } }
      : {}),
  };
}
