// A function's execution environment as Lambda gives it: the worker that runs its handler in a child process, and
// the environment variables Lambda sets, beside its template's.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { FunctionDefinition } from './definition.js';

/** The worker script: dist/functions/worker.js, or, running from sources (tests), compiled once under `dir`. */
export function workerScript(dir: string): Promise<string> {
  return (async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const compiled = path.join(here, 'worker.js');
    if (existsSync(compiled)) return compiled;
    // running from sources (tests): compile the worker once into the stack folder
    const outfile = path.join(dir, 'runtime', 'lambda-worker.mjs');
    await esbuild.build({
      entryPoints: [path.join(here, 'worker.ts')],
      outfile,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      logLevel: 'silent',
    });
    return outfile;
  })();
}

/** The environment of its template and what Lambda sets, with the stack as every AWS endpoint. */
export function lambdaEnvironment(
  definition: FunctionDefinition,
  options: { region: string; endpoint: () => string },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TZ: 'UTC',
    NODE_OPTIONS: '--enable-source-maps',
    ...Object.fromEntries(
      Object.entries(definition.environment).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value ?? ''),
      ]),
    ),
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: options.endpoint(),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: definition.codeDir,
  };
}
