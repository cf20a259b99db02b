/**
 * The whole life cycle on functions deployed with the framework: an empty stack, `serverless deploy --stage local`
 * of every service through serverless-compose.yml (the stack's CloudFormation provisioning the packaged
 * templates, each function running its uploaded zip), then the data, an image push, training, evaluation,
 * registration, deployment and predictions, as `pnpm start --framework` runs them. Here rather than in the
 * scenario's package: deploying takes both cores for half a minute, and the reliability suites run one at a time.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type LifecycleResult,
  referenceData,
  referenceImageFolder,
  runLifecycle,
} from '@sagemaker-pipeline/scenario';
import { SERVICES } from '@sagemaker-pipeline/shared/contracts';

const HOLDOUT_ACCURACY_FLOOR = 0.9;
/** The services with a function: every one but infra. */
const STAGES = SERVICES.filter((service) => service !== 'infra');

describe('Scenario: the life cycle on functions deployed with serverless deploy --stage local', () => {
  let result: LifecycleResult;

  beforeAll(async () => {
    result = await runLifecycle({
      dir: await mkdtemp(path.join(tmpdir(), 'deployed-lifecycle-')),
      port: 0,
      imageFolder: referenceImageFolder(),
      data: referenceData(),
      keepRunning: true,
      deployWithFramework: true,
      stepTimeoutMs: 60_000,
    });
  }, 300_000);
  afterAll(() => result?.stack?.stop());

  it('runs to the end and the endpoint serves predictions', () => {
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.holdoutAccuracy).toBeGreaterThanOrEqual(HOLDOUT_ACCURACY_FLOOR);
  });

  it('deployed every service of serverless-compose.yml as a CloudFormation stack', () => {
    const stacks = result.stack?.cloudFormation.stacks ?? [];

    expect(stacks.map((stack) => stack.name).sort()).toEqual(
      SERVICES.map((service) => `mlpipe-local-${service}-local`).sort(),
    );
    expect(stacks.map((stack) => stack.status)).toEqual(stacks.map(() => 'UPDATE_COMPLETE'));
  });

  it('ran every stage on the zip the framework uploaded, not on a bundle of its own', () => {
    const stack = result.stack;
    const functions = stack?.functions.list() ?? [];
    const ran = new Set(stack?.functions.invocations.map((entry) => entry.functionName));

    expect(functions).toHaveLength(STAGES.length);
    for (const fn of functions)
      expect(fn.handlerFile?.startsWith(path.join(stack?.dir ?? '', 'deployed'))).toBe(true);
    expect([...ran].sort()).toEqual(functions.map((fn) => fn.functionName).sort());
  });
});
