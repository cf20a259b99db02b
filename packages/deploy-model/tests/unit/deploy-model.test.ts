import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ResourceNotFound,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import 'aws-sdk-client-mock-jest';
import { deployModel } from '../../src/deploy-model.js';
import {
  ALL_AT_ONCE,
  arnOf,
  awsError,
  configOf,
  configWith,
  deps,
  endpoint,
  GROUP,
  imageOf,
  inputs,
  lineage,
  missingEndpoint,
  modelDataOf,
  modelOf,
  newestApproved,
  packageEvent,
  ROLE,
  sagemaker,
  sample,
  sns,
} from '../helpers/deploy-fixtures.js';

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
});
