// deployModel against the offline stack: real SDK clients, a registry with real versions and endpoints
// served by local processes; then the same through the rule and environment of this serverless.yml.
import { fileURLToPath } from 'node:url';
import {
  DescribeEndpointCommand,
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { jest } from '@jest/globals';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { deployModelEnv } from '../../src/config.js';
import { deployModel } from '../../src/deploy-model.js';
import { endpointConfigName } from '../../src/requests.js';
import {
  lastPackageEvent,
  type OfflineStack,
  registerApproved,
  servedVersion,
  settledEndpoint,
  startOfflineStack,
  waitFor,
} from '../helpers/offline-stack.js';

jest.setTimeout(60_000);

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
    // The registry's event created it; its settle event (IN_SERVICE) then found it serving.
    const invocations = await waitFor(
      () => t.stack.functions.invocations.filter((call) => call.function === 'deployModel'),
      (calls) => calls.length >= 2,
    );
    expect(invocations.map((call) => [call.trigger, call.status, call.result])).toEqual([
      [
        'eventbridge',
        'success',
        expect.objectContaining({ status: 'deploying', action: 'create', endpointName: 'mlpipe-local' }),
      ],
      [
        'eventbridge',
        'success',
        expect.objectContaining({
          status: 'already-serving',
          trigger: expect.objectContaining({ endpointStatus: 'IN_SERVICE' }),
        }),
      ],
    ]);
  });
});

describe("Integration: convergence in AWS's time, approvals and rejections while the endpoint is updating", () => {
  // At a time scale of 0.005 an endpoint creation or update takes 2.4 s (8 minutes on AWS), Lambda retries a
  // failed event after 0.3 s and 0.6 s (1 and 2 minutes): every update outlasts the whole retry window.
  const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
  const endpointName = 'mlpipe-local';
  let t: OfflineStack;
  const arns = new Map<string, string>();
  const approve = async (version: string) => arns.set(version, await registerApproved(t, version));
  const reject = (version: string) =>
    t.sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arns.get(version), ModelApprovalStatus: 'Rejected' }),
    );
  const updates = () =>
    t.stack.sagemaker.calls.filter((call) => call.operation === 'UpdateEndpoint' && !call.error);
  const updating = () =>
    waitFor(
      () => t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName })),
      (endpoint) => endpoint.EndpointStatus === 'Updating',
    );
  /** The endpoint InService on `version` (its container answers with it), however many settles that takes. */
  const serving = (version: string) =>
    waitFor(
      async () => {
        const endpoint = await t.sagemaker
          .send(new DescribeEndpointCommand({ EndpointName: endpointName }))
          .catch(() => undefined);
        const status = endpoint?.EndpointStatus ?? 'not created yet';
        return status === 'InService' ? servedVersion(t, endpointName) : status;
      },
      (served) => served === version,
      30_000,
    );
  const failedDeployInvocations = () =>
    t.stack.functions.invocations.filter(
      (call) => call.function === 'deployModel' && call.status === 'error',
    );

  beforeAll(async () => {
    t = await startOfflineStack('mlpipe-local', { services: [serviceDir], env: {}, timeScale: 0.005 });
    await approve('1');
    await serving('1');
  });
  afterAll(() => t?.stop());

  it('approve v2, then v3 and v4 while v2 deploys: ends serving v4, with one update after v2s', async () => {
    const before = updates().length;
    await approve('2');
    await updating();
    await approve('3');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await approve('4');

    await serving('4');

    const sinceV2 = updates().slice(before);
    expect(sinceV2.length).toBeGreaterThanOrEqual(2); // v2's, then the catch-up
    expect(sinceV2.length - 1).toBeLessThanOrEqual(2);
    const busy = t.stack.functions.invocations.filter(
      (call) => call.function === 'deployModel' && (call.result as { status?: string })?.status === 'busy',
    );
    expect(busy.length).toBeGreaterThanOrEqual(2); // v3's and v4's approvals found the endpoint Updating
    expect(failedDeployInvocations()).toEqual([]);
  });

  it('rejecting the live version while an update is under way ends on the update, the newest Approved', async () => {
    await approve('5');
    await updating();
    await reject('4');

    await serving('5');
    expect(failedDeployInvocations()).toEqual([]);
  });

  it('rejecting the version being deployed and the live one ends on the newest still Approved (v3)', async () => {
    await approve('6');
    await updating();
    await reject('6');
    await reject('5');

    await serving('3');
    const newest = await t.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: 'mlpipe-local',
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    expect(newest.ModelPackageSummaryList?.[0]?.ModelPackageArn).toBe(arns.get('3'));
    expect(failedDeployInvocations()).toEqual([]);
  });
});
