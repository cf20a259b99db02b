// The workspace's services deployed to a running stack with the framework itself: `serverless deploy --stage
// local` through serverless-compose.yml, as a user deploys them (tools/serverless/offline-stack points stage local
// at the stack). By default on copies of the services (`<workspace>/.package-tmp/`), so that two deploys at once
// (a `pnpm start` while a test deploys) never share a service's `.serverless` and `.esbuild`; `inPlace` runs it
// at the workspace's root itself, as `pnpm exec serverless deploy --stage local` there does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyCompose, runServerless } from '@sagemaker-pipeline/testing/cloudformation';
import yaml from 'js-yaml';

/** The workspace this package is part of (local/src or local/dist, two levels up). */
export const WORKSPACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FrameworkDeploy {
  /** What the framework printed. */
  output: string;
  ms: number;
}

/** Deploys every service of serverless-compose.yml to the stack at `endpoint`, for `stage` (default `local`). */
export async function deployWithFramework(options: {
  endpoint: string;
  stage?: string;
  workspace?: string;
  env?: Record<string, string>;
  /** Run compose in the workspace itself rather than on copies of its services. */
  inPlace?: boolean;
  /** Called as each service is deployed (compose prints `<service> › deployed`), with those done so far. */
  onDeployed?: (deployed: string[], total: number) => void;
}): Promise<FrameworkDeploy> {
  const started = Date.now();
  const workspace = options.workspace ?? WORKSPACE;
  const compose = yaml.load(readFileSync(path.join(workspace, 'serverless-compose.yml'), 'utf8')) as {
    services: Record<string, { path: string }>;
  };
  const copy = options.inPlace ? { dir: workspace, remove() {} } : copyCompose(workspace, compose);
  const names = Object.keys(compose.services);
  const deployed: string[] = [];
  const onLine = (line: string) => {
    const done = /^(\S+) › (?:deployed|no changes)\s*$/.exec(line.trim())?.[1];
    if (done && names.includes(done) && !deployed.includes(done)) {
      deployed.push(done);
      options.onDeployed?.([...deployed], names.length);
    }
  };
  try {
    const output = await runServerless(
      copy.dir,
      ['deploy', '--stage', options.stage ?? 'local'],
      { ...options.env, AWS_ENDPOINT_URL: options.endpoint },
      onLine,
    );
    return { output, ms: Date.now() - started };
  } finally {
    copy.remove();
  }
}
