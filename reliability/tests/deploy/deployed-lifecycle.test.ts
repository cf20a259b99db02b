/**
 * The deploy path a user takes, at the workspace's root: an empty stack, `pnpm exec serverless deploy --stage
 * local` there (compose: infra, then the five stages; the stack's CloudFormation provisioning each packaged
 * template, each function running its uploaded zip), then the whole life cycle on the deployed functions (data,
 * an image push, training, evaluation, registration, deployment, predictions, retraining), as `pnpm start` runs
 * it; then one changed stage deployed again, which updates its function and nothing else, and one stage removed.
 * Here rather than in the scenario's package: deploying takes both cores for half a minute, and the reliability
 * suites run one at a time. The packages' `.serverless` is the framework's working folder; what the other suites
 * read is `pnpm package`'s `.packaged`, which this leaves alone.
 */
import { appendFileSync } from 'node:fs';
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
import { copyService, runServerless } from '@sagemaker-pipeline/testing/cloudformation';
import { NAMES, ROOT } from '../integration/helpers.js';
import { resourceTypesTouched } from './stack-events.js';

const HOLDOUT_ACCURACY_FLOOR = 0.9;
/** The services with a function: every one but infra. */
const STAGES = SERVICES.filter((service) => service !== 'infra');

describe('Scenario: serverless deploy --stage local at the root, the life cycle on what it deployed', () => {
  let result: LifecycleResult;
  const stack = () => {
    if (!result?.stack) throw new Error('the stack did not start');
    return result.stack;
  };
  const stackOf = (service: string) => stack().cloudFormation.find(`${NAMES.pipeline}-${service}-local`);
  const serverless = (dir: string, ...args: string[]) =>
    runServerless(dir, [...args, '--stage', 'local'], { AWS_ENDPOINT_URL: stack().endpoint });

  beforeAll(async () => {
    result = await runLifecycle({
      dir: await mkdtemp(path.join(tmpdir(), 'deployed-lifecycle-')),
      port: 0,
      imageFolder: referenceImageFolder(),
      data: referenceData(),
      keepRunning: true,
      deployWithFramework: true,
      deployInPlace: true,
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
    const stacks = stack().cloudFormation.stacks;

    expect(stacks.map((cfnStack) => cfnStack.name).sort()).toEqual(
      SERVICES.map((service) => `${NAMES.pipeline}-${service}-local`).sort(),
    );
    expect(stacks.map((cfnStack) => cfnStack.status)).toEqual(stacks.map(() => 'UPDATE_COMPLETE'));
  });

  it('ran every stage on the zip the framework uploaded, not on a bundle of its own', () => {
    const functions = stack().functions.list();
    const ran = new Set(stack().functions.invocations.map((entry) => entry.functionName));

    expect(functions).toHaveLength(STAGES.length);
    for (const fn of functions)
      expect(fn.handlerFile.startsWith(path.join(stack().dir, 'deployed'))).toBe(true);
    expect([...ran].sort()).toEqual(functions.map((fn) => fn.functionName).sort());
  });

  it('serverless deploy of one changed stage updates its function, and no other stack', async () => {
    const others = SERVICES.filter((service) => service !== 'deploy-model');
    const eventsBefore = Object.fromEntries(
      SERVICES.map((service) => [service, stackOf(service)?.events.length]),
    );
    const fn = `${NAMES.pipeline}-deploy-model-local-deployModel`;
    const codeBefore = stack().functions.definition(fn)?.handlerFile;
    // the change: one more export in the stage's handler, on a copy of the stage (the sources stay as they are)
    const copy = copyService(path.join(ROOT, 'packages', 'deploy-model'));
    try {
      appendFileSync(
        path.join(copy.dir, 'src', 'handler.ts'),
        "\nexport const changedBy = 'deployed-lifecycle';\n",
      );

      await serverless(copy.dir, 'deploy');
    } finally {
      copy.remove();
    }

    expect(stackOf('deploy-model')?.status).toBe('UPDATE_COMPLETE');
    expect(resourceTypesTouched(stackOf('deploy-model')?.events, eventsBefore['deploy-model'] ?? 0)).toEqual([
      'AWS::Lambda::Function',
      'AWS::Lambda::Version',
    ]);
    expect(stack().functions.definition(fn)?.handlerFile).not.toBe(codeBefore);
    for (const service of others) expect(stackOf(service)?.events.length).toBe(eventsBefore[service]);
  });

  it('serverless remove of a stage removes its stack and resources, and leaves the others serving', async () => {
    const fn = `${NAMES.pipeline}-retrain-model-local-retrainModel`;

    await serverless(path.join(ROOT, 'packages', 'retrain-model'), 'remove');

    expect(stackOf('retrain-model')).toBeUndefined();
    expect(stack().functions.definition(fn)).toBeUndefined();
    expect(stack().queues.has(`${NAMES.pipeline}-retrain-model-dlq`)).toBe(false);
    expect(
      stack()
        .schedules.list()
        .filter((rule) => rule.targets.some((arn) => arn.endsWith(`:${fn}`))),
    ).toEqual([]);
    // infra's queue of new data stays: it is infra's
    expect(stack().queues.has(NAMES.retrainQueue)).toBe(true);
    for (const service of SERVICES.filter((service) => service !== 'retrain-model'))
      expect(stackOf(service)?.status).toBe('UPDATE_COMPLETE');
  });
});
