/**
 * Stack start: time to `ready`, in process (`startStack().readyMs`, every stage service, as `pnpm stack`
 * starts it) and as the CLI prints it (a fresh `node local/dist/cli.js` from spawn to its `ready` line),
 * against a fresh Node process that only starts an HTTP server on 127.0.0.1 and says ready.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, startStack } from '@sagemaker-pipeline/local';
import { allServices, workspace } from './paths.js';

const cli = path.join(workspace, 'local', 'dist', 'cli.js');
const BARE_SERVER = `require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', function () {
  console.log('ready http://127.0.0.1:' + this.address().port);
});`;

/** Spawns a process and resolves with the time to its first line matching `ready`, then stops it. */
function timeToReady(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv,
): Promise<{ wallMs: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let wallMs: number | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (wallMs === undefined && ready.test(output)) {
        wallMs = performance.now() - started;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (wallMs === undefined) reject(new Error(`${args.join(' ')} exited ${code} before ready: ${output}`));
      else resolve({ wallMs, output });
    });
  });
}

export interface StackStartRun {
  /** startStack().readyMs */
  inProcessReadyMs: number;
  /** spawn of `node local/dist/cli.js` to its `ready AWS_ENDPOINT_URL=` line */
  cliWallMs: number;
  /** what the CLI itself prints: `stack ready in N ms` */
  cliReadyMs: number;
  /** spawn of a bare Node HTTP server to its ready line */
  bareWallMs: number;
}

/**
 * `runs` measured starts of each kind after one warm-up. Every start deploys every service from its package
 * (`serverless package`, kept in the workspace's package cache): the warm-up makes the packages that are not
 * cached yet, later starts find them, as a second `pnpm stack` does.
 */
export async function measureStackStart(dir: string, runs: number): Promise<StackStartRun[]> {
  const env = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const services = allServices();
  const once = async (): Promise<StackStartRun> => {
    const stack = await startStack({ port: 0, dir, services, logger: silentLogger });
    const inProcessReadyMs = stack.readyMs;
    await stack.stop();
    const cliRun = await timeToReady([cli, '--port', '0', '--dir', dir], /^ready AWS_ENDPOINT_URL=/m, env);
    const bare = await timeToReady(['-e', BARE_SERVER], /^ready /m, env);
    return {
      inProcessReadyMs,
      cliWallMs: cliRun.wallMs,
      cliReadyMs: Number(/stack ready in (\d+) ms/.exec(cliRun.output)?.[1] ?? Number.NaN),
      bareWallMs: bare.wallMs,
    };
  };
  await once();
  const measured: StackStartRun[] = [];
  for (let run = 0; run < runs; run += 1) measured.push(await once());
  return measured;
}
