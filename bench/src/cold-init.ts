/**
 * Cold init: a fresh Node process loads a bundle and runs one invocation with a sample event that makes an AWS
 * call against the offline stack, for each function and its baseline, alternately, several times. Each function
 * gets its own fresh stack (infra's bucket and model package group only, no stage functions reacting), so one
 * function's calls do not change what the next one finds.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { silentLogger, startStack } from '@sagemaker-pipeline/local';
import type { FunctionSpec } from './baselines.js';
import { infraService } from './paths.js';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cold-start.js');

export interface ColdRun {
  /** From spawn to the invocation's result, as the parent sees it. */
  wallMs: number;
  /** Node's own start, before the bundle is required (the same for both). */
  bootMs: number;
  /** require() of the bundle: parsing it and its module-scope work (config, clients, schemas). */
  loadMs: number;
  /** The first invocation, AWS call included. */
  invokeMs: number;
  outcome: string;
}

/** Runs one cold start of `bundle` in a fresh process with `env` (nothing else of this process's). */
export function coldStart(bundle: string, event: string, env: Record<string, string>): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [runner, bundle, event, 'main'], {
      cwd: path.dirname(bundle),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let result: ColdRun | undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const line = /^BENCH (.*)$/m.exec(stderr);
      if (line?.[1] && !result) {
        const wallMs = performance.now() - started;
        result = { wallMs, ...(JSON.parse(line[1]) as Omit<ColdRun, 'wallMs'>) };
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`cold start of ${bundle} exited ${code}: ${stderr.trim().slice(-2000)}`));
    });
  });
}

/** The environment Lambda gives the function (as the stack gives its warm workers), pointed at `endpoint`. */
export function lambdaEnvironment(
  fn: { functionName: string; memorySize?: number; environment: Record<string, unknown> },
  endpoint: string,
  region: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TZ: 'UTC',
    ...Object.fromEntries(
      Object.entries(fn.environment).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value ?? ''),
      ]),
    ),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize ?? 256),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
}

export interface ColdInitFigures {
  function: string;
  call: string;
  ours: ColdRun[];
  baseline: ColdRun[];
}

export interface ColdInitTarget {
  spec: FunctionSpec;
  definition: { functionName: string; memorySize?: number; environment: Record<string, unknown> };
  serviceDir: string;
  oursBundle: string;
  baselineBundle: string;
}

/**
 * `runs` measured cold starts of each bundle, after one unmeasured start of each (the first creates what the
 * later ones find, e.g. the training job, and fills the file cache); ours and the baseline alternate, and
 * which goes first alternates too.
 */
export async function measureColdInit(
  target: ColdInitTarget,
  runs: number,
  stage: string,
  dir: string,
): Promise<ColdInitFigures> {
  const stack = await startStack({ port: 0, dir, stage, services: [infraService], logger: silentLogger });
  try {
    const env = lambdaEnvironment(target.definition, stack.endpoint, stack.region);
    const event = path.join(target.serviceDir, 'events', target.spec.event);
    await coldStart(target.oursBundle, event, env);
    await coldStart(target.baselineBundle, event, env);
    const ours: ColdRun[] = [];
    const baseline: ColdRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      if (run % 2 === 0) {
        ours.push(await coldStart(target.oursBundle, event, env));
        baseline.push(await coldStart(target.baselineBundle, event, env));
      } else {
        baseline.push(await coldStart(target.baselineBundle, event, env));
        ours.push(await coldStart(target.oursBundle, event, env));
      }
    }
    return { function: target.spec.name, call: target.spec.call, ours, baseline };
  } finally {
    await stack.stop();
  }
}
