import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ResourceInUse,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import 'aws-sdk-client-mock-jest';
import { deployModel } from '../../src/deploy-model.js';
import {
  arnOf,
  awsError,
  configOf,
  deps,
  described,
  endpoint,
  endpointArn,
  endpointEvent,
  GROUP,
  imageOf,
  inputs,
  missingEndpoint,
  modelDataOf,
  newestApproved,
  packageEvent,
  sagemaker,
  sample,
  scheduledEvent,
  sns,
  summaryOf,
  TOPIC,
} from '../helpers/deploy-fixtures.js';

describe('Function: deployModel, busy, failed and scheduled endpoints, and a changing registry', () => {
  beforeEach(() => {
    sagemaker.reset();
    sns.reset();
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
