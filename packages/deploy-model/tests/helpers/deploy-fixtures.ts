/**
 * What the deployModel tests share: the SageMaker and SNS mocks, the registry's packages by version, the endpoint's states and the events.
 */
import {
  type DescribeEndpointCommandOutput,
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  type EndpointStateChangeEvent,
  EndpointStateChangeEventSchema,
  type ModelPackageStateChangeEvent,
  ModelPackageStateChangeEventSchema,
  ScheduledEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { missingEndpoint as missingEndpointOf, sagemakerError } from '@sagemaker-pipeline/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { deployModelEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';
import type { DeployModelEvent } from '../../src/deploy-model.js';
import { endpointConfigName, modelName } from '../../src/requests.js';
import { sampleEvent } from '../events.js';

export const sagemaker = mockClient(SageMakerClient);
export const sns = mockClient(SNSClient);
export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';
export const config = loadConfig(deployModelEnv);
export const configWith = (overrides: Record<string, string>) =>
  loadConfig(deployModelEnv, { ...process.env, ...overrides });
export const deps = { sagemaker: new SageMakerClient({}), config };

export const GROUP = 'mlpipe-dev';
export const ROLE = 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker';
export const arnOf = (version: number) =>
  `arn:aws:sagemaker:us-east-1:000000000000:model-package/${GROUP}/${version}`;
export const imageOf = (version: number) =>
  `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@sha256:${String(version).repeat(64)}`;
export const modelDataOf = (version: number) =>
  `s3://mlpipe-dev-000000000000-us-east-1/models/mlpipe-dev-train-v${version}/output/model.tar.gz`;
export const modelOf = (version: number) => modelName('mlpipe-dev', { groupName: GROUP, version });
export const configOf = (version: number, settings = config) =>
  endpointConfigName(settings, { groupName: GROUP, version });

export const sample = (file: string): ModelPackageStateChangeEvent =>
  v.parse(ModelPackageStateChangeEventSchema, sampleEvent(file));

/** The endpoint's settle event (the sample: mlpipe-dev IN_SERVICE on version 2's config), with `detail` on top. */
export function endpointEvent(detail: Record<string, unknown> = {}): DeployModelEvent {
  const event = sampleEvent<EndpointStateChangeEvent>('endpoint-in-service.json');
  return v.parse(EndpointStateChangeEventSchema, {
    ...event,
    detail: { ...event.detail, EndpointConfigName: configOf(2), ...detail },
  });
}

export const scheduledEvent = (): DeployModelEvent =>
  v.parse(ScheduledEventSchema, sampleEvent('scheduled-reconcile.json'));

/** The Approved sample event (version 2 of the group), for another version. */
export function packageEvent(version = 2): ModelPackageStateChangeEvent {
  const event = sample('model-package-approved.json');
  event.detail.ModelPackageVersion = version;
  event.detail.ModelPackageArn = arnOf(version);
  return event;
}

export function described(version: number, overrides: Partial<DescribeModelPackageCommandOutput> = {}) {
  return {
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: version,
    ModelPackageArn: arnOf(version),
    ModelApprovalStatus: 'Approved' as const,
    ModelPackageStatus: 'Completed' as const,
    InferenceSpecification: {
      Containers: [
        {
          Image: imageOf(version),
          ImageDigest: `sha256:${String(version).repeat(64)}`,
          ModelDataUrl: modelDataOf(version),
        },
      ],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['application/json'],
    },
    ...overrides,
  };
}

/** A version as ListModelPackages summarises it. */
export const summaryOf = (version: number) => ({
  ModelPackageGroupName: GROUP,
  ModelPackageVersion: version,
  ModelPackageArn: arnOf(version),
  ModelApprovalStatus: 'Approved' as const,
  ModelPackageStatus: 'Completed' as const,
  CreationTime: new Date('2025-06-02T09:30:12Z'),
});

/** The registry's newest Approved version (none when undefined), as SageMaker lists and describes it. */
export function newestApproved(
  version: number | undefined,
  overrides: Partial<DescribeModelPackageCommandOutput> = {},
) {
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList:
      version === undefined
        ? []
        : [
            {
              ModelPackageGroupName: GROUP,
              ModelPackageVersion: version,
              ModelPackageArn: arnOf(version),
              ModelApprovalStatus: 'Approved',
              ModelPackageStatus: 'Completed',
              CreationTime: new Date('2025-06-02T09:30:12Z'),
            },
          ],
  });
  if (version !== undefined) {
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: arnOf(version) })
      .resolves(described(version, overrides));
  }
}

export const endpointArn = 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlpipe-dev';
export const endpoint = (
  status: NonNullable<DescribeEndpointCommandOutput['EndpointStatus']>,
  configName: string,
  extra: Partial<DescribeEndpointCommandOutput> = {},
): Partial<DescribeEndpointCommandOutput> => ({
  EndpointName: 'mlpipe-dev',
  EndpointArn: endpointArn,
  EndpointConfigName: configName,
  EndpointStatus: status,
  ...extra,
});

export const awsError = sagemakerError;
export const missingEndpoint = () => missingEndpointOf(endpointArn);

export const lineage = (version: number) => [
  { Key: 'pipeline', Value: 'mlpipe-dev' },
  { Key: 'stage', Value: 'deploy-model' },
  { Key: 'model-package-group', Value: GROUP },
  { Key: 'model-package-version', Value: String(version) },
  { Key: 'model-package-arn', Value: arnOf(version) },
  { Key: 'image-digest', Value: `sha256:${String(version).repeat(64)}` },
];

export const ALL_AT_ONCE = {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
    TerminationWaitInSeconds: 0,
    MaximumExecutionTimeoutInSeconds: 3600,
  },
};

/** The inputs of the recorded calls of one command. */
export const inputs = <T>(calls: readonly { args: readonly [{ input: T }] }[]): T[] =>
  calls.map((call) => call.args[0].input);
