// A stage function as Lambda runs it: its handler bundled once with esbuild (cached, and reused while its inputs
// are unchanged), the worker that runs it in a child process, and the environment Lambda gives it.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { StackLogger } from '../log.js';
import type { FunctionDefinition } from './serverless-config.js';

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];

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

/** The handler of `definition` bundled as one ES module; a bundle whose inputs did not change is reused. */
export async function bundleHandler(
  definition: FunctionDefinition,
  options: { dir: string; bundleDir?: string | undefined; logger: StackLogger },
): Promise<string> {
  const dot = definition.handler.lastIndexOf('.');
  const base = path.join(definition.serviceDir, definition.handler.slice(0, dot));
  const entry = HANDLER_EXTENSIONS.map((extension) => `${base}${extension}`).find((file) => existsSync(file));
  if (!entry) throw new Error(`handler file ${base}.{ts,js} of function ${definition.name} not found`);
  const outDir = path.join(
    options.bundleDir ?? path.join(options.dir, 'functions'),
    definition.service,
    definition.name,
  );
  const outfile = path.join(outDir, 'handler.mjs');
  const metaFile = path.join(outDir, 'inputs.json');
  try {
    const inputs = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, number>;
    const unchanged = await Promise.all(
      Object.entries(inputs).map(
        async ([file, mtime]) => (await stat(file).catch(() => undefined))?.mtimeMs === mtime,
      ),
    );
    if (existsSync(outfile) && unchanged.every(Boolean) && Object.keys(inputs).length > 0) return outfile;
  } catch {
    // no cache yet
  }
  await mkdir(outDir, { recursive: true });
  const started = Date.now();
  // Written beside, then renamed: a bundle folder shared by several stacks never shows half a file
  const written = `${outfile}.${process.pid}.${randomUUID()}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: written,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: definition.serviceDir,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __localCreateRequire } from 'node:module'; const require = __localCreateRequire(import.meta.url);",
    },
  });
  const inputs: Record<string, number> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(definition.serviceDir, input);
    const info = await stat(file).catch(() => undefined);
    if (info) inputs[file] = info.mtimeMs;
  }
  await rename(written, outfile);
  const meta = `${metaFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(meta, JSON.stringify(inputs));
  await rename(meta, metaFile);
  options.logger.info('lambda', `bundled ${definition.name} in ${Date.now() - started} ms`);
  return outfile;
}

/** The environment of its serverless.yml and what Lambda sets, with the stack as every AWS endpoint. */
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
    LAMBDA_TASK_ROOT: definition.serviceDir,
  };
}
