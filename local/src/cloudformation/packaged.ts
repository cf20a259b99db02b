// Services deployed to the stack from the framework's own package, as `serverless deploy` deploys them: the
// package is what `serverless package --stage <stage>` writes (the templates and the zips serverless-esbuild
// made, exactly what would go to AWS); deploying it creates the stack with the package's create template (the
// deployment bucket), uploads the zips there under the package's artifact folder, and updates the stack with the
// package's update template. No osls process at deploy time, so a test's stack is ready in a few hundred ms;
// packages are kept under a cache folder, keyed by everything that goes into them, while nothing changes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { CfnTemplate } from '@sagemaker-pipeline/testing/cloudformation';
import { copyService, runServerless } from '@sagemaker-pipeline/testing/cloudformation';
import type { S3Service } from '../s3/s3-service.js';
import { encodeKeyPath } from '../s3/s3-service.js';
import type { CloudFormationEngine } from './engine.js';
import type { CfnStackState } from './template.js';

export interface PackageOptions {
  stage: string;
  region: string;
  /** The environment `${env:NAME}` reads (only the names the configuration reads are taken from it). */
  env: Record<string, string | undefined>;
  /** `--param` values (`sweepSchedule=off`). */
  params?: string[];
  /** Where packages are kept, one folder per key. */
  cacheDir: string;
  /** The stack's endpoint: `${aws:accountId}` asks its STS. */
  endpoint: string;
}

const SKIPPED = new Set([
  'node_modules',
  '.serverless',
  '.packaged',
  '.esbuild',
  '.turbo',
  'dist',
  'coverage',
  'tests',
]);

/** Every file under `dir` (but the folders a package never reads), in a stable order. */
function filesUnder(dir: string, skip = SKIPPED): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return skip.has(entry.name) ? [] : filesUnder(full, skip);
      return entry.isFile() ? [full] : [];
    });
}

/** The files a configuration includes (`${file(../../pipeline.yml)}`) and the plugins' local folder. */
function includedPaths(serviceDir: string, config: string): string[] {
  const files = [...config.matchAll(/\$\{file\(([^)~:]+)\)/g)].map((match) =>
    path.resolve(serviceDir, (match[1] ?? '').trim()),
  );
  const localPath = /^\s*localPath:\s*['"]?([^'"\s]+)/m.exec(config)?.[1];
  return [...new Set([...files, ...(localPath ? [path.resolve(serviceDir, localPath)] : [])])];
}

/** The workspace packages the service's code imports (linked, not from the store): their built files. */
function workspaceDependencies(serviceDir: string): string[] {
  const manifest = path.join(serviceDir, 'package.json');
  if (!existsSync(manifest)) return [];
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(dependencies)
    .map((name) => path.join(serviceDir, 'node_modules', name))
    .filter((link) => existsSync(link))
    .map((link) => realpathSync(link))
    .filter((real) => !real.split(path.sep).includes('.pnpm'));
}

/** What a service's configuration reads besides itself: the paths it includes and the env names it names. */
function configurationReads(serviceDir: string): { included: string[]; envNames: string[] } {
  const config = readFileSync(path.join(serviceDir, 'serverless.yml'), 'utf8');
  const included = includedPaths(serviceDir, config);
  const texts = [
    config,
    ...included
      .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
      .map((file) => readFileSync(file, 'utf8')),
  ];
  const envNames = texts.flatMap((text) =>
    [...text.matchAll(/env:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] as string),
  );
  return { included, envNames: [...new Set(envNames)].sort() };
}

/** What a package of `serviceDir` depends on: its files, what they include, the env values they read. */
export function packageKey(serviceDir: string, options: PackageOptions): string {
  const { included, envNames } = configurationReads(serviceDir);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ stage: options.stage, region: options.region, params: options.params ?? [] }));
  for (const name of envNames) hash.update(`env ${name}=${options.env[name] ?? '<unset>'}\n`);
  const files = [
    ...filesUnder(serviceDir),
    ...included.flatMap((entry) =>
      statSync(entry, { throwIfNoEntry: false })?.isDirectory() ? filesUnder(entry) : [entry],
    ),
    ...workspaceDependencies(serviceDir).flatMap((dir) => [
      path.join(dir, 'package.json'),
      ...filesUnder(path.join(dir, 'dist'), new Set()),
    ]),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(`${path.relative(serviceDir, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/** The environment `serverless package` runs with: this process's, with the configuration's env values given. */
function packagingEnv(serviceDir: string, options: PackageOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const name of configurationReads(serviceDir).envNames) {
    const value = options.env[name];
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
  };
}

/** How many packages of one service and stage the cache keeps (older sources, other env values). */
const KEPT_PACKAGES = 8;

/** Removes all but the `keep` newest packages named `<prefix><key>` from the cache. */
export function prunePackages(cacheDir: string, prefix: string, keep: number): void {
  const packages = readdirSync(cacheDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        entry.name.startsWith(prefix) &&
        /^[0-9a-f]{32}$/.test(entry.name.slice(prefix.length)),
    )
    .map((entry) => ({
      dir: path.join(cacheDir, entry.name),
      mtimeMs: statSync(path.join(cacheDir, entry.name)).mtimeMs,
    }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { dir } of packages.slice(keep)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The folder of `serverless package --stage <stage>` of `serviceDir` (run on a copy of it, so its own
 * `.serverless` is left alone), from the cache when nothing it depends on changed.
 */
export async function packageService(serviceDir: string, options: PackageOptions): Promise<string> {
  const key = packageKey(serviceDir, options);
  const target = path.join(options.cacheDir, `${path.basename(serviceDir)}-${options.stage}-${key}`);
  if (existsSync(path.join(target, 'cloudformation-template-update-stack.json'))) {
    // used now: the last to be pruned
    const now = new Date();
    await utimes(target, now, now).catch(() => {});
    return target;
  }
  await mkdir(options.cacheDir, { recursive: true });
  const copy = copyService(serviceDir);
  const out = `${target}.${process.pid}.${Date.now()}`;
  try {
    await runServerless(
      copy.dir,
      [
        'package',
        '--stage',
        options.stage,
        '--region',
        options.region,
        '--package',
        out,
        ...(options.params ?? []).flatMap((param) => ['--param', param]),
      ],
      packagingEnv(serviceDir, options),
    );
    // another worker may have packaged the same key meanwhile: either one is the same package
    await rename(out, target).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw error;
      await rm(out, { recursive: true, force: true });
    });
    prunePackages(options.cacheDir, `${path.basename(serviceDir)}-${options.stage}-`, KEPT_PACKAGES);
    return target;
  } finally {
    copy.remove();
    await rm(out, { recursive: true, force: true });
  }
}

interface PackageState {
  package: { artifactDirectoryName: string };
  service: { service: string; provider: { stage: string } };
}

/**
 * Waits for the engine's operation on `stack` and fails with CloudFormation's reason unless it completed. No
 * parameter is given, as `serverless deploy` gives none: the engine takes the template's defaults.
 */
async function deployed(
  engine: CloudFormationEngine,
  stack: CfnStackState,
  template: CfnTemplate,
  body: string,
  expected: string,
): Promise<void> {
  await engine.deploy(stack, body, template, {});
  if (stack.status !== expected) {
    const failed = stack.events.find((event) => event.ResourceStatus.endsWith('_FAILED'));
    throw new Error(
      `${stack.name}: ${stack.status}${failed ? `: ${failed.LogicalResourceId} ${failed.ResourceStatusReason ?? ''}` : ''}`,
    );
  }
}

/** Deploys a package folder to the stack as `serverless deploy` does; resolves with its stack. */
export async function deployPackage(
  engine: CloudFormationEngine,
  s3: S3Service,
  packageDir: string,
): Promise<CfnStackState> {
  const state = JSON.parse(
    await readFile(path.join(packageDir, 'serverless-state.json'), 'utf8'),
  ) as PackageState;
  const stackName = `${state.service.service}-${state.service.provider.stage}`;
  const read = async (name: string) => {
    const body = await readFile(path.join(packageDir, name), 'utf8');
    return { body, template: JSON.parse(body) as CfnTemplate };
  };
  const create = await read('cloudformation-template-create-stack.json');
  const update = await read('cloudformation-template-update-stack.json');
  let stack = engine.find(stackName);
  if (!stack || stack.status === 'DELETE_COMPLETE') {
    stack = engine.open(stackName, 'CREATE_IN_PROGRESS');
    await deployed(engine, stack, create.template, create.body, 'CREATE_COMPLETE');
  }
  const bucket = stack.resources.get('ServerlessDeploymentBucket')?.physicalId;
  if (!bucket) throw new Error(`${stackName}: no deployment bucket`);
  for (const file of readdirSync(packageDir).filter((name) => name.endsWith('.zip'))) {
    const key = `${state.package.artifactDirectoryName}/${file}`;
    const { status } = await s3.request(
      'PUT',
      `/${bucket}/${encodeKeyPath(key)}`,
      await readFile(path.join(packageDir, file)),
    );
    if (status !== 200) throw new Error(`cannot upload s3://${bucket}/${key}: status ${status}`);
  }
  await deployed(engine, stack, update.template, update.body, 'UPDATE_COMPLETE');
  return stack;
}

/**
 * Every service of every stage deployed from its package, each stage's services after the ones they import
 * from (those with no `Fn::ImportValue` first: infra). Packages are made (or taken from the cache) in parallel.
 */
export async function deployServices(
  engine: CloudFormationEngine,
  s3: S3Service,
  serviceDirs: string[],
  stages: string[],
  options: Omit<PackageOptions, 'stage'>,
): Promise<void> {
  for (const stage of stages) {
    const packages = await Promise.all(
      serviceDirs.map((serviceDir) => packageService(serviceDir, { ...options, stage })),
    );
    const importing = new Set(
      packages.filter((dir) =>
        readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8').includes(
          '"Fn::ImportValue"',
        ),
      ),
    );
    for (const packageDir of [...packages.filter((dir) => !importing.has(dir)), ...importing]) {
      await deployPackage(engine, s3, packageDir);
    }
  }
}
