// turbo must not replay a template packaged for another region, account or prefix: the environment that names
// resources is part of the `package` and `test` hashes (turbo.json `env`). This packages one stage in a copy of the
// workspace (its own turbo cache and .packaged, so the suites reading the real ones are not disturbed) with two
// regions and prefixes in turn, then the first again, and reads each template turbo leaves behind.
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const copy = path.join(root, '.package-tmp', `turbo-hash-${process.pid}`);
const STAGE = '@sagemaker-pipeline/trigger-training';
const ROOT_FILES = [
  'package.json',
  'pnpm-workspace.yaml',
  'pnpm-lock.yaml',
  'turbo.json',
  'pipeline.yml',
  'esbuild.yml',
  'tsconfig.base.json',
  'biome.json',
  'tools',
];
const LEFT_OUT = new Set(['dist', '.serverless', '.packaged', '.turbo', 'coverage']);

async function copyWorkspace(): Promise<void> {
  await mkdir(path.join(copy, 'packages'), { recursive: true });
  for (const file of ROOT_FILES) await cp(path.join(root, file), path.join(copy, file), { recursive: true });
  // the packages' node_modules links are relative, so the copy resolves through this link to the real store
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  for (const folder of ['shared', 'packages/trigger-training']) {
    await cp(path.join(root, folder), path.join(copy, folder), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !LEFT_OUT.has(path.basename(source)),
    });
  }
}

/** Packages the stage through turbo with `env`; what turbo printed and the template it left. */
async function packageWith(env: Record<string, string>): Promise<{ cached: boolean; template: string }> {
  const { stdout } = await run(
    path.join(copy, 'node_modules', '.bin', 'turbo'),
    ['run', 'package', `--filter=${STAGE}`, '--output-logs=hash-only'],
    {
      cwd: copy,
      // pnpm would otherwise try to install the copy's (partial) workspace before each script
      env: {
        ...process.env,
        ...env,
        pnpm_config_verify_deps_before_run: 'false',
        TURBO_TELEMETRY_DISABLED: '1',
      },
    },
  );
  const template = await readFile(
    path.join(copy, 'packages', 'trigger-training', '.packaged', 'cloudformation-template-update-stack.json'),
    'utf8',
  );
  return { cached: /trigger-training:package: cache hit/.test(stdout), template };
}

describe('turbo hashes the environment that names resources', () => {
  beforeAll(copyWorkspace, 60_000);
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it('packages again when AWS_REGION, AWS_ACCOUNT_ID or PIPELINE_PREFIX change, and replays only the same values', async () => {
    // Act
    const first = await packageWith({
      AWS_REGION: 'ap-south-1',
      AWS_ACCOUNT_ID: '111122223333',
      PIPELINE_PREFIX: 'alpha',
    });
    const second = await packageWith({
      AWS_REGION: 'eu-west-1',
      AWS_ACCOUNT_ID: '444455556666',
      PIPELINE_PREFIX: 'beta',
    });
    const again = await packageWith({
      AWS_REGION: 'ap-south-1',
      AWS_ACCOUNT_ID: '111122223333',
      PIPELINE_PREFIX: 'alpha',
    });

    // Assess: each template names its own values, the third is the first one replayed from turbo's cache
    expect(first.cached).toBe(false);
    expect(first.template).toContain('alpha-dev-trigger-training');
    expect(first.template).toContain('alpha-dev-111122223333-ap-south-1');
    expect(second.cached).toBe(false);
    expect(second.template).toContain('beta-dev-trigger-training');
    expect(second.template).toContain('beta-dev-444455556666-eu-west-1');
    expect(second.template).not.toContain('ap-south-1');
    expect(again.cached).toBe(true);
    expect(again.template).toBe(first.template);
  }, 180_000);
});
