import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  ResourceInUse,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { deployModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import {
  type EndpointStateChangeEvent,
  EndpointStateChangeEventSchema,
  type ModelPackageStateChangeEvent,
  ModelPackageStateChangeEventSchema,
  ScheduledEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { type DeployModelEvent, deployModel } from '../../src/deploy-model.js';
import { endpointConfigName, modelName } from '../../src/requests.js';
import { sampleEvent } from '../events.js';

const sagemaker = mockClient(SageMakerClient);
const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';
const config = loadConfig(deployModelEnv);
const configWith = (overrides: Record<string, string>) =>
  loadConfig(deployModelEnv, { ...process.env, ...overrides });
const deps = { sagemaker: new SageMakerClient({}), config };

const GROUP = 'mlpipe-dev';
const ROLE = 'arn:aws:iam::123456789012:role/mlpipe-dev-sagemaker';
const arnOf = (version: number) =>
  `arn:aws:sagemaker:us-east-1:000000000000:model-package/${GROUP}/${version}`;
const imageOf = (version: number) =>
  `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@sha256:${String(version).repeat(64)}`;
const modelDataOf = (version: number) =>
  `s3://mlpipe-dev-000000000000-us-east-1/models/mlpipe-dev-train-v${version}/output/model.tar.gz`;
const modelOf = (version: number) => modelName('mlpipe-dev', { groupName: GROUP, version });
const configOf = (version: number, settings = config) =>
  endpointConfigName(settings, { groupName: GROUP, version });

const sample = (file: string): ModelPackageStateChangeEvent =>
  v.parse(ModelPackageStateChangeEventSchema, sampleEvent(file));

/** The endpoint's settle event (the sample: mlpipe-dev IN_SERVICE on version 2's config), with `detail` on top. */
function endpointEvent(detail: Record<string, unknown> = {}): DeployModelEvent {
  const event = sampleEvent<EndpointStateChangeEvent>('endpoint-in-service.json');
  return v.parse(EndpointStateChangeEventSchema, {
    ...event,
    detail: { ...event.detail, EndpointConfigName: configOf(2), ...detail },
  });
}

const scheduledEvent = (): DeployModelEvent =>
  v.parse(ScheduledEventSchema, sampleEvent('scheduled-reconcile.json'));

/** The Approved sample event (version 2 of the group), for another version. */
function packageEvent(version = 2): ModelPackageStateChangeEvent {
  const event = sample('model-package-approved.json');
  event.detail.ModelPackageVersion = version;
  event.detail.ModelPackageArn = arnOf(version);
  return event;
}

function described(version: number, overrides: Partial<DescribeModelPackageCommandOutput> = {}) {
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
const summaryOf = (version: number) => ({
  ModelPackageGroupName: GROUP,
  ModelPackageVersion: version,
  ModelPackageArn: arnOf(version),
  ModelApprovalStatus: 'Approved' as const,
  ModelPackageStatus: 'Completed' as const,
  CreationTime: new Date('2025-06-02T09:30:12Z'),
});

/** The registry's newest Approved version (none when undefined), as SageMaker lists and describes it. */
function newestApproved(
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

const endpointArn = 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlpipe-dev';
const endpoint = (
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

const awsError = (name: string, message: string) =>
  new SageMakerServiceException({ name, message, $fault: 'client', $metadata: {} });
const missingEndpoint = () => awsError('ValidationException', `Could not find endpoint "${endpointArn}".`);

const lineage = (version: number) => [
  { Key: 'pipeline', Value: 'mlpipe-dev' },
  { Key: 'stage', Value: 'deploy-model' },
  { Key: 'model-package-group', Value: GROUP },
  { Key: 'model-package-version', Value: String(version) },
  { Key: 'model-package-arn', Value: arnOf(version) },
  { Key: 'image-digest', Value: `sha256:${String(version).repeat(64)}` },
];

const ALL_AT_ONCE = {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
    TerminationWaitInSeconds: 0,
    MaximumExecutionTimeoutInSeconds: 3600,
  },
};

/** The inputs of the recorded calls of one command. */
const inputs = <T>(calls: readonly { args: readonly [{ input: T }] }[]): T[] =>
  calls.map((call) => call.args[0].input);

describe('Function: deployModel', () => {
  beforeEach(() => {
    sagemaker.reset();
    sns.reset();
  });

  it('creates the model, endpoint config and endpoint when there is no endpoint yet, with the exact inputs', async () => {
    // Prepare
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());

    // Act
    const result = await deployModel(packageEvent(2), deps);

    // Assess
    expect(sagemaker).toHaveReceivedCommandWith(ListModelPackagesCommand, {
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) });
    expect(sagemaker).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'mlpipe-dev' });
    expect(inputs(sagemaker.commandCalls(CreateModelCommand))).toEqual([
      {
        ModelName: modelOf(2),
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: imageOf(2), ModelDataUrl: modelDataOf(2) },
        Tags: lineage(2),
      },
    ]);
    expect(inputs(sagemaker.commandCalls(CreateEndpointConfigCommand))).toEqual([
      {
        EndpointConfigName: configOf(2),
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: modelOf(2),
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            InitialVariantWeight: 1,
          },
        ],
        Tags: lineage(2),
      },
    ]);
    expect(inputs(sagemaker.commandCalls(CreateEndpointCommand))).toEqual([
      {
        EndpointName: 'mlpipe-dev',
        EndpointConfigName: configOf(2),
        Tags: [
          { Key: 'pipeline', Value: 'mlpipe-dev' },
          { Key: 'stage', Value: 'deploy-model' },
        ],
      },
    ]);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(sagemaker).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(result).toEqual({
      status: 'deploying',
      action: 'create',
      endpointName: 'mlpipe-dev',
      endpointConfigName: configOf(2),
      modelName: modelOf(2),
      modelPackageArn: arnOf(2),
      modelPackageVersion: 2,
      created: { model: true, endpointConfig: true },
      trigger: { modelPackageArn: arnOf(2), approvalStatus: 'Approved' },
    });
  });

  it('derives SageMaker-valid names from the version: the same for a redelivery, new for another version or fleet', () => {
    const larger = configWith({ ENDPOINT_INSTANCE_TYPE: 'ml.c5.xlarge' });

    expect(modelOf(2)).toMatch(/^mlpipe-dev-model-[0-9a-f]{12}$/);
    expect(configOf(2)).toMatch(/^mlpipe-dev-endpoint-config-[0-9a-f]{12}$/);
    expect(modelOf(2)).toBe(modelOf(2));
    expect(modelOf(3)).not.toBe(modelOf(2));
    expect(configOf(3)).not.toBe(configOf(2));
    expect(configOf(2, larger)).not.toBe(configOf(2));
  });

  it('treats a missing endpoint reported as ResourceNotFound like the ValidationException of real AWS', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(new ResourceNotFound({ message: 'Endpoint not found', $metadata: {} }));

    const result = await deployModel(packageEvent(2), deps);

    expect(result).toMatchObject({ status: 'deploying', action: 'create' });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateEndpointCommand, 1);
  });

  it('updates a serving endpoint to a new version blue/green, all at once by default', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1)));

    const result = await deployModel(packageEvent(2), deps);

    expect(inputs(sagemaker.commandCalls(UpdateEndpointCommand))).toEqual([
      { EndpointName: 'mlpipe-dev', EndpointConfigName: configOf(2), DeploymentConfig: ALL_AT_ONCE },
    ]);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateModelCommand, 1);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateEndpointConfigCommand, 1);
    expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
    expect(result).toEqual({
      status: 'deploying',
      action: 'update',
      endpointName: 'mlpipe-dev',
      endpointConfigName: configOf(2),
      modelName: modelOf(2),
      modelPackageArn: arnOf(2),
      modelPackageVersion: 2,
      created: { model: true, endpointConfig: true },
      previousEndpointConfigName: configOf(1),
      trigger: { modelPackageArn: arnOf(2), approvalStatus: 'Approved' },
    });
  });

  it('shifts traffic as a canary with auto-rollback alarms when configured', async () => {
    const canary = configWith({
      DEPLOYMENT_TRAFFIC_ROUTING: 'CANARY',
      DEPLOYMENT_STEP_SIZE: '20',
      DEPLOYMENT_WAIT_SECONDS: '600',
      DEPLOYMENT_TERMINATION_WAIT_SECONDS: '120',
      DEPLOYMENT_MAX_EXECUTION_SECONDS: '7200',
      ROLLBACK_ALARMS: 'mlpipe-dev-invocation-errors, mlpipe-dev-latency',
    });
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1, canary)));

    await deployModel(packageEvent(2), { ...deps, config: canary });

    expect(inputs(sagemaker.commandCalls(UpdateEndpointCommand))).toEqual([
      {
        EndpointName: 'mlpipe-dev',
        EndpointConfigName: configOf(2, canary),
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              WaitIntervalInSeconds: 600,
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 },
            },
            TerminationWaitInSeconds: 120,
            MaximumExecutionTimeoutInSeconds: 7200,
          },
          AutoRollbackConfiguration: {
            Alarms: [{ AlarmName: 'mlpipe-dev-invocation-errors' }, { AlarmName: 'mlpipe-dev-latency' }],
          },
        },
      },
    ]);
  });

  it('shifts traffic linearly by instance count on a larger fleet when configured', async () => {
    const linear = configWith({
      ENDPOINT_INSTANCE_TYPE: 'ml.c5.xlarge',
      ENDPOINT_INSTANCE_COUNT: '4',
      DEPLOYMENT_TRAFFIC_ROUTING: 'LINEAR',
      DEPLOYMENT_STEP_TYPE: 'INSTANCE_COUNT',
      DEPLOYMENT_STEP_SIZE: '1',
      DEPLOYMENT_WAIT_SECONDS: '120',
    });
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1, linear)));

    await deployModel(packageEvent(2), { ...deps, config: linear });

    expect(inputs(sagemaker.commandCalls(CreateEndpointConfigCommand))[0]?.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: modelOf(2),
        InstanceType: 'ml.c5.xlarge',
        InitialInstanceCount: 4,
        InitialVariantWeight: 1,
      },
    ]);
    expect(inputs(sagemaker.commandCalls(UpdateEndpointCommand))[0]?.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'LINEAR',
          WaitIntervalInSeconds: 120,
          LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 1 },
        },
        TerminationWaitInSeconds: 0,
        MaximumExecutionTimeoutInSeconds: 3600,
      },
    });
  });

  it('creates nothing when the endpoint already serves the newest Approved version', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));

    const result = await deployModel(packageEvent(2), deps);

    expect(result).toEqual({
      status: 'already-serving',
      endpointName: 'mlpipe-dev',
      endpointConfigName: configOf(2),
      modelPackageArn: arnOf(2),
      modelPackageVersion: 2,
      trigger: { modelPackageArn: arnOf(2), approvalStatus: 'Approved' },
    });
    expect(sagemaker.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'ListModelPackagesCommand',
      'DescribeModelPackageCommand',
      'DescribeEndpointCommand',
    ]);
  });

  it('rolls back to the newest still-Approved version when the live version is Rejected', async () => {
    // Prepare: version 2 is live and was just rejected, so version 1 is the newest Approved one; its
    // model and config still exist from when it was live
    newestApproved(1);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));
    sagemaker
      .on(CreateModelCommand)
      .rejects(
        awsError(
          'ValidationException',
          `Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/${modelOf(1)}".`,
        ),
      );
    sagemaker
      .on(CreateEndpointConfigCommand)
      .rejects(
        awsError(
          'ValidationException',
          `Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${configOf(1)}".`,
        ),
      );

    // Act
    const result = await deployModel(sample('model-package-rejected.json'), deps);

    // Assess
    expect(inputs(sagemaker.commandCalls(CreateModelCommand))[0]?.ModelName).toBe(modelOf(1));
    expect(inputs(sagemaker.commandCalls(UpdateEndpointCommand))).toEqual([
      { EndpointName: 'mlpipe-dev', EndpointConfigName: configOf(1), DeploymentConfig: ALL_AT_ONCE },
    ]);
    expect(result).toEqual({
      status: 'deploying',
      action: 'update',
      endpointName: 'mlpipe-dev',
      endpointConfigName: configOf(1),
      modelName: modelOf(1),
      modelPackageArn: arnOf(1),
      modelPackageVersion: 1,
      created: { model: false, endpointConfig: false },
      previousEndpointConfigName: configOf(2),
      trigger: { modelPackageArn: arnOf(2), approvalStatus: 'Rejected' },
    });
  });

  it('never downgrades: an Approved event for an older version leaves the newer live version alone', async () => {
    newestApproved(3);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(3)));

    const result = await deployModel(packageEvent(1), deps);

    expect(result).toMatchObject({
      status: 'already-serving',
      modelPackageVersion: 3,
      trigger: { modelPackageArn: arnOf(1), approvalStatus: 'Approved' },
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateModelCommand);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('deploys the newest Approved version, not the one of the event', async () => {
    newestApproved(3);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1)));

    const result = await deployModel(packageEvent(2), deps);

    expect(inputs(sagemaker.commandCalls(UpdateEndpointCommand))[0]?.EndpointConfigName).toBe(configOf(3));
    expect(result).toMatchObject({ status: 'deploying', modelPackageVersion: 3 });
  });

  it('does not update the endpoint a second time when the same event is delivered again', async () => {
    // Prepare: the first delivery starts the update; the second finds it under way, the third done
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('InService', configOf(1)))
      .resolvesOnce(
        endpoint('Updating', configOf(1), {
          PendingDeploymentSummary: { EndpointConfigName: configOf(2), StartTime: new Date() },
        }),
      )
      .resolves(endpoint('InService', configOf(2)));

    // Act
    const first = await deployModel(packageEvent(2), deps);
    const second = await deployModel(packageEvent(2), deps);
    const third = await deployModel(packageEvent(2), deps);

    // Assess
    expect(first).toMatchObject({ status: 'deploying', action: 'update' });
    expect(second).toMatchObject({
      status: 'already-deploying',
      endpointStatus: 'Updating',
      endpointConfigName: configOf(2),
    });
    expect(third).toMatchObject({ status: 'already-serving', endpointConfigName: configOf(2) });
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointCommand, 1);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateModelCommand, 1);
  });

  it('reports an endpoint being created on the desired version as already deploying', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('Creating', configOf(2)));

    const result = await deployModel(packageEvent(2), deps);

    expect(result).toMatchObject({ status: 'already-deploying', endpointStatus: 'Creating' });
    expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
    expect(sagemaker).not.toHaveReceivedCommand(CreateModelCommand);
  });

  it.each([
    [
      'ValidationException "Cannot create already existing"',
      'ValidationException',
      'Cannot create already existing model "x".',
    ],
    ['ResourceInUse', 'ResourceInUse', 'Model name is in use'],
  ])(
    'tolerates a model and config that a redelivery finds already created (%s)',
    async (_label, name, message) => {
      newestApproved(2);
      sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1)));
      const existing =
        name === 'ResourceInUse' ? new ResourceInUse({ message, $metadata: {} }) : awsError(name, message);
      sagemaker.on(CreateModelCommand).rejects(existing);
      sagemaker.on(CreateEndpointConfigCommand).rejects(existing);

      const result = await deployModel(packageEvent(2), deps);

      expect(result).toMatchObject({
        status: 'deploying',
        action: 'update',
        created: { model: false, endpointConfig: false },
      });
      expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointCommand, 1);
    },
  );

  it.each([
    ['Creating', endpoint('Creating', 'mlpipe-dev-endpoint-config-000000000001')],
    [
      'Updating',
      endpoint('Updating', 'mlpipe-dev-endpoint-config-000000000001', {
        PendingDeploymentSummary: {
          EndpointConfigName: 'mlpipe-dev-endpoint-config-000000000009',
          StartTime: new Date(),
        },
      }),
    ],
    ['SystemUpdating', endpoint('SystemUpdating', 'mlpipe-dev-endpoint-config-000000000001')],
    ['RollingBack', endpoint('RollingBack', 'mlpipe-dev-endpoint-config-000000000001')],
    ['Deleting', endpoint('Deleting', 'mlpipe-dev-endpoint-config-000000000001')],
    ['OutOfService', endpoint('OutOfService', 'mlpipe-dev-endpoint-config-000000000001')],
  ])(
    'changes nothing and reports the endpoint busy, not an error to retry, while it is %s',
    async (status, busy) => {
      newestApproved(2);
      sagemaker.on(DescribeEndpointCommand).resolves(busy);

      const result = await deployModel(packageEvent(2), deps);

      expect(result).toMatchObject({
        status: 'busy',
        endpointStatus: status,
        modelPackageVersion: 2,
        endpointConfigName: configOf(2),
        reason: expect.stringContaining(`endpoint mlpipe-dev is ${status}`),
      });
      expect((result as { reason: string }).reason).toMatch(/deployed when it settles/);
      expect(sagemaker).not.toHaveReceivedCommand(CreateModelCommand);
      expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
      expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointCommand);
      expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
    },
  );

  it('replaces a Failed endpoint: reports its failure reason, deletes it and creates it on the desired version', async () => {
    newestApproved(2);
    const reason =
      'The primary container for production variant AllTraffic did not pass the ping health check.';
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('Failed', configOf(2), { FailureReason: reason }));

    const result = await deployModel(packageEvent(2), deps);

    expect(sagemaker).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'mlpipe-dev' });
    expect(inputs(sagemaker.commandCalls(CreateEndpointCommand))).toEqual([
      {
        EndpointName: 'mlpipe-dev',
        EndpointConfigName: configOf(2),
        Tags: [
          { Key: 'pipeline', Value: 'mlpipe-dev' },
          { Key: 'stage', Value: 'deploy-model' },
        ],
      },
    ]);
    const order = sagemaker.calls().map((call) => call.args[0].constructor.name);
    expect(order.indexOf('DeleteEndpointCommand')).toBeLessThan(order.indexOf('CreateEndpointCommand'));
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(result).toMatchObject({
      status: 'deploying',
      action: 'replace-failed',
      endpointConfigName: configOf(2),
      previousEndpointConfigName: configOf(2),
      previousFailureReason: reason,
    });
  });

  it('reports the endpoint busy when AWS is still deleting the Failed endpoint, naming its failure reason', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('Failed', configOf(1), { FailureReason: 'CapacityError: no ml.m5.large capacity' }));
    sagemaker
      .on(CreateEndpointCommand)
      .rejects(awsError('ValidationException', `Cannot create already existing endpoint "${endpointArn}".`));

    const result = await deployModel(packageEvent(2), deps);

    expect(result).toMatchObject({ status: 'busy', endpointStatus: 'Deleting' });
    expect((result as { reason: string }).reason).toMatch(
      /endpoint mlpipe-dev was Failed \(CapacityError: no ml.m5.large capacity\) and is still being deleted/,
    );
    expect(sagemaker).toHaveReceivedCommandTimes(DeleteEndpointCommand, 1);
  });

  it('reports the endpoint busy when another deployment started between the check and the update', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(1)));
    sagemaker
      .on(UpdateEndpointCommand)
      .rejects(awsError('ValidationException', `Cannot update in-progress endpoint "${endpointArn}".`));

    await expect(deployModel(packageEvent(2), deps)).resolves.toMatchObject({
      status: 'busy',
      endpointStatus: 'Updating',
    });
  });

  it('reports the endpoint busy when it appeared between the check and its creation', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());
    sagemaker
      .on(CreateEndpointCommand)
      .rejects(awsError('ValidationException', `Cannot create already existing endpoint "${endpointArn}".`));

    await expect(deployModel(packageEvent(2), deps)).resolves.toMatchObject({
      status: 'busy',
      endpointStatus: 'Creating',
    });
  });

  it.each([
    ['IN_SERVICE', 'its update ended'],
    ['FAILED', 'it failed'],
    ['UPDATE_ROLLBACK_FAILED', 'its rollback failed'],
  ])(
    'reconciles when its endpoint settles %s (%s): the newest Approved version is deployed',
    async (status) => {
      newestApproved(3);
      sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));

      const result = await deployModel(endpointEvent({ EndpointStatus: status }), deps);

      expect(result).toMatchObject({
        status: 'deploying',
        action: 'update',
        modelPackageVersion: 3,
        trigger: { endpointStatus: status, endpointConfigName: configOf(2) },
      });
      expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointCommand, { EndpointConfigName: configOf(3) });
    },
  );

  it.each([
    [
      'another endpoint',
      { EndpointName: 'another-team-endpoint' },
      /endpoint another-team-endpoint; this pipeline deploys mlpipe-dev/,
    ],
    [
      'an endpoint that has not settled',
      { EndpointStatus: 'UPDATING' },
      /endpoint mlpipe-dev is UPDATING, not settled/,
    ],
  ])('skips the state change of %s and sends nothing', async (_label, detail, reason) => {
    const result = await deployModel(endpointEvent(detail), deps);

    expect(result).toEqual({ status: 'skipped', reason: expect.stringMatching(reason) });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('holds, without deploying again, when its endpoint settles after a rolled-back update, and alerts a human', async () => {
    newestApproved(3);
    const reason =
      'The primary container for production variant AllTraffic did not pass the ping health check.';
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('InService', configOf(2), { FailureReason: reason }));
    sns.on(PublishCommand).resolves({ MessageId: 'alert-1' });
    const alerts = new Alerts(new SNSClient({}), TOPIC);

    const result = await deployModel(endpointEvent({ FailureReason: reason }), { ...deps, alerts });

    expect(result).toMatchObject({
      status: 'held',
      endpointStatus: 'InService',
      failureReason: reason,
      modelPackageVersion: 3,
      alert: '[mlpipe-dev] Endpoint mlpipe-dev update rolled back',
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(sagemaker).not.toHaveReceivedCommand(CreateModelCommand);
    const [published] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(published).toMatchObject({
      TopicArn: TOPIC,
      Subject: '[mlpipe-dev] Endpoint mlpipe-dev update rolled back',
    });
    expect(published?.Message).toContain(
      `An update of endpoint mlpipe-dev to version 3 of ${GROUP} was rolled back; it still serves ${configOf(2)}.`,
    );
    expect(published?.Message).toContain(`Why: ${reason}`);
    expect(published?.Message).toContain('approve a fixed version (or reject the failing one)');
  });

  it('holds a Failed endpoint on its schedule: no delete, no create, until a registry event', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('Failed', configOf(2), { FailureReason: 'CapacityError: no ml.m5.large capacity' }));

    const result = await deployModel(scheduledEvent(), deps);

    expect(result).toMatchObject({ status: 'held', endpointStatus: 'Failed' });
    expect(sagemaker).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it('alerts when its endpoint settles Failed or its rollback fails, and not when it settles fine', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('Failed', configOf(2), { FailureReason: 'boom' }));
    sns.on(PublishCommand).resolves({ MessageId: 'alert' });
    const alerts = new Alerts(new SNSClient({}), TOPIC);

    const failed = await deployModel(endpointEvent({ EndpointStatus: 'FAILED', FailureReason: 'boom' }), {
      ...deps,
      alerts,
    });
    const mixed = await deployModel(endpointEvent({ EndpointStatus: 'UPDATE_ROLLBACK_FAILED' }), {
      ...deps,
      alerts,
    });
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));
    const fine = await deployModel(endpointEvent(), { ...deps, alerts });

    expect(failed).toMatchObject({ status: 'held', alert: '[mlpipe-dev] Endpoint mlpipe-dev failed' });
    expect(mixed).toMatchObject({ alert: '[mlpipe-dev] Endpoint mlpipe-dev update and rollback failed' });
    expect(fine).toMatchObject({ status: 'already-serving' });
    expect(fine).not.toHaveProperty('alert');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('reconciles on its schedule: creates nothing when the endpoint serves the newest Approved version', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));

    const result = await deployModel(scheduledEvent(), deps);

    expect(result).toMatchObject({
      status: 'already-serving',
      modelPackageVersion: 2,
      trigger: { schedule: 'arn:aws:events:us-east-1:123456789012:rule/mlpipe-dev-deploy-model-reconcile' },
    });
    expect(sagemaker.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'ListModelPackagesCommand',
      'DescribeModelPackageCommand',
      'DescribeEndpointCommand',
    ]);
  });

  it('reconciles on its schedule: deploys the newest Approved version that an event lost did not', async () => {
    newestApproved(3);
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));

    await expect(deployModel(scheduledEvent(), deps)).resolves.toMatchObject({
      status: 'deploying',
      action: 'update',
      modelPackageVersion: 3,
    });
  });

  it('reports the endpoint update that was rolled back last time when it deploys again', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('InService', configOf(1), { FailureReason: 'Alarm mlpipe-dev-errors went off' }));

    const result = await deployModel(packageEvent(2), deps);

    expect(result).toMatchObject({
      status: 'deploying',
      action: 'update',
      previousFailureReason: 'Alarm mlpipe-dev-errors went off',
    });
  });

  it('deploys nothing and leaves the endpoint alone when the group has no Approved package', async () => {
    newestApproved(undefined);

    const result = await deployModel(sample('model-package-rejected.json'), deps);

    expect(result).toEqual({
      status: 'nothing-to-deploy',
      reason: 'no Approved model package in group mlpipe-dev; endpoint mlpipe-dev is left as it is',
      endpointName: 'mlpipe-dev',
      trigger: { modelPackageArn: arnOf(2), approvalStatus: 'Rejected' },
    });
    expect(sagemaker.calls()).toHaveLength(1);
    expect(sagemaker).not.toHaveReceivedCommand(DeleteEndpointCommand);
  });

  it.each([
    ['other-group.json', /model package group another-team-models; this pipeline deploys mlpipe-dev/],
    ['model-package-pending.json', /pending manual approval, which changes no deployment/],
  ])('skips %s with the reason and sends nothing', async (file, reason) => {
    const result = await deployModel(sample(file), deps);

    expect(result).toEqual({ status: 'skipped', reason: expect.stringMatching(reason) });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('reads the registry again when the listed package is no longer Approved by the time it is described', async () => {
    sagemaker
      .on(ListModelPackagesCommand)
      .resolvesOnce({ ModelPackageSummaryList: [{ ...summaryOf(3) }] })
      .resolves({ ModelPackageSummaryList: [{ ...summaryOf(2) }] });
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: arnOf(3) })
      .resolves(described(3, { ModelApprovalStatus: 'Rejected' }));
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2));
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService', configOf(2)));

    await expect(deployModel(packageEvent(3), deps)).resolves.toMatchObject({
      status: 'already-serving',
      modelPackageVersion: 2,
    });
    expect(sagemaker).toHaveReceivedCommandTimes(ListModelPackagesCommand, 2);
  });

  it('retries the event when the registry keeps changing under three reads', async () => {
    newestApproved(2, { ModelApprovalStatus: 'Rejected' });

    await expect(deployModel(packageEvent(2), deps)).rejects.toThrow(
      /changed to Rejected while deploying, 3 reads in a row/,
    );
    expect(sagemaker).toHaveReceivedCommandTimes(ListModelPackagesCommand, 3);
    expect(sagemaker).not.toHaveReceivedCommand(DescribeEndpointCommand);
  });

  it('fails terminally, naming the package, when it has no inference container', async () => {
    newestApproved(2, { InferenceSpecification: undefined });

    const error = await deployModel(packageEvent(2), deps).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TerminalError);
    expect((error as Error).message).toBe(
      `Model package ${arnOf(2)} has no inference container image to deploy (InferenceSpecification.Containers)`,
    );
  });

  it('passes the registered container environment and serves several containers as an inference pipeline', async () => {
    newestApproved(2, {
      InferenceSpecification: {
        Containers: [
          { Image: 'preprocess:1', Environment: { MODE: 'csv' } },
          { Image: imageOf(2), ModelDataUrl: modelDataOf(2), Environment: {} },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['application/json'],
      },
    });
    sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());

    await deployModel(packageEvent(2), deps);

    const input = inputs(sagemaker.commandCalls(CreateModelCommand))[0];
    expect(input?.Containers).toEqual([
      { Image: 'preprocess:1', Environment: { MODE: 'csv' } },
      { Image: imageOf(2), ModelDataUrl: modelDataOf(2) },
    ]);
    expect(input?.PrimaryContainer).toBeUndefined();
    expect(input?.Tags).not.toContainEqual(expect.objectContaining({ Key: 'image-digest' }));
  });

  it('lets other SageMaker errors through for the handler to classify', async () => {
    newestApproved(2);
    sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());
    sagemaker
      .on(CreateEndpointCommand)
      .rejects(awsError('ResourceLimitExceeded', 'The account-level service limit for ml.m5.large is 0'));

    await expect(deployModel(packageEvent(2), deps)).rejects.toThrow('service limit');
  });

  it('does not mistake another DescribeEndpoint validation error for a missing endpoint', async () => {
    newestApproved(2);
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(awsError('ValidationException', 'Endpoint name is invalid'));

    await expect(deployModel(packageEvent(2), deps)).rejects.toThrow('Endpoint name is invalid');
    expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
  });
});
