// deployModel against the offline stack: real SDK clients, a registry with real versions and endpoints
// served by local processes; then the same through the rule and environment of this serverless.yml.
import { fileURLToPath } from 'node:url';
import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { jest } from '@jest/globals';
import { deployModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';
import { deployModel } from '../../src/deploy-model.js';
import { endpointConfigName } from '../../src/requests.js';
import {
  lastPackageEvent,
  type OfflineStack,
  registerApproved,
  servedVersion,
  settledEndpoint,
  startOfflineStack,
} from '../helpers/offline-stack.js';

jest.setTimeout(20_000);

describe('Integration: deployModel against the offline stack', () => {
  const config = loadConfig(deployModelEnv);
  const endpointName = config.ENDPOINT_NAME;
  const configOf = (version: number) =>
    endpointConfigName(config, { groupName: config.MODEL_REGISTRY_NAME, version });
  let t: OfflineStack;
  const arns: string[] = [];
  const deployEventOf = (arn: string | undefined) =>
    deployModel(lastPackageEvent(t, arn ?? ''), { sagemaker: t.sagemaker, config });

  beforeAll(async () => {
    t = await startOfflineStack(config.MODEL_REGISTRY_NAME);
  });
  afterAll(() => t?.stop());

  it('creates the endpoint for the first Approved version and it goes InService', async () => {
    arns.push(await registerApproved(t, '1'));

    const result = await deployEventOf(arns[0]);

    expect(result).toMatchObject({ status: 'deploying', action: 'create', modelPackageVersion: 1 });
    const endpoint = await settledEndpoint(t, endpointName);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: configOf(1) });
    expect(await servedVersion(t, endpointName)).toBe('1');
  });

  it('finds a redelivered event already served', async () => {
    await expect(deployEventOf(arns[0])).resolves.toMatchObject({
      status: 'already-serving',
      modelPackageVersion: 1,
    });
  });

  it('updates the endpoint blue/green to a second Approved version', async () => {
    arns.push(await registerApproved(t, '2'));

    const result = await deployEventOf(arns[1]);

    expect(result).toMatchObject({ status: 'deploying', action: 'update', modelPackageVersion: 2 });
    const endpoint = await settledEndpoint(t, endpointName);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: configOf(2) });
    expect(endpoint.FailureReason).toBeUndefined();
    expect(await servedVersion(t, endpointName)).toBe('2');
  });

  it('does not downgrade on a late Approved event for the first version', async () => {
    await expect(deployEventOf(arns[0])).resolves.toMatchObject({
      status: 'already-serving',
      modelPackageVersion: 2,
    });
    expect(await servedVersion(t, endpointName)).toBe('2');
  });

  it('rolls back to the first version when the live second version is Rejected', async () => {
    await t.sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arns[1], ModelApprovalStatus: 'Rejected' }),
    );

    const result = await deployEventOf(arns[1]);

    expect(result).toMatchObject({
      status: 'deploying',
      action: 'update',
      modelPackageVersion: 1,
      created: { model: false, endpointConfig: false },
      trigger: { modelPackageArn: arns[1], approvalStatus: 'Rejected' },
    });
    expect((await settledEndpoint(t, endpointName)).EndpointConfigName).toBe(configOf(1));
    expect(await servedVersion(t, endpointName)).toBe('1');
  });
});

describe('Integration: the deployed handler on the offline stack', () => {
  // The stack resolves this package's serverless.yml for stage `local`: pipeline, group and endpoint
  // are all `mlpipe-local`, and the rule routes the registry's events to the bundled handler.
  const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
  let t: OfflineStack;

  beforeAll(async () => {
    t = await startOfflineStack('mlpipe-local', { services: [serviceDir], env: {} });
  });
  afterAll(() => t?.stop());

  it('serves an approved model once its registration event went through the rule to the function', async () => {
    await registerApproved(t, '7');

    const endpoint = await settledEndpoint(t, 'mlpipe-local');

    expect(endpoint.EndpointStatus).toBe('InService');
    expect(await servedVersion(t, 'mlpipe-local')).toBe('7');
    const invocations = t.stack.functions.invocations.filter((call) => call.function === 'deployModel');
    expect(invocations).toEqual([
      expect.objectContaining({
        trigger: 'eventbridge',
        status: 'success',
        result: expect.objectContaining({
          status: 'deploying',
          action: 'create',
          endpointName: 'mlpipe-local',
        }),
      }),
    ]);
  });
});
