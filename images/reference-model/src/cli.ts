// The container's command dispatch: `train`, `evaluate` (processing) and `serve`, as SageMaker appends them to
// the ENTRYPOINT. A failed train or evaluate writes its reason to /opt/ml/output/failure, which SageMaker
// reports as the job's FailureReason, and exits non-zero.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { runEvaluate } from './evaluate.js';
import { type Env, failureFile } from './paths.js';
import { runServe } from './serve.js';
import { type Log, runTrain } from './train.js';

export const USAGE = 'usage: main.js train | evaluate | serve';

/** SageMaker keeps the first 1024 characters of a FailureReason. */
const MAX_FAILURE_LENGTH = 1024;

export function writeFailure(env: Env, error: unknown): string {
  const reason = (
    error instanceof InputError ? error.message : `${(error as Error).name}: ${(error as Error).message}`
  ).slice(0, MAX_FAILURE_LENGTH);
  const file = failureFile(env);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, reason);
  } catch {
    // the reason still reaches the log
  }
  return reason;
}

/** Runs one command; resolves to the exit code (serve keeps the process alive with its server). */
export async function run(
  args: readonly string[],
  env: Env,
  log: Log = console.log,
  logError: Log = console.error,
): Promise<number> {
  const [command] = args;
  if (command === 'serve') {
    try {
      const server = await runServe(env, log);
      // SageMaker stops a container with SIGTERM: finish the requests in flight, then exit.
      process.once('SIGTERM', () => server.close(() => process.exit(0)));
      return 0;
    } catch (error) {
      logError(`cannot serve: ${(error as Error).message}`);
      return 1;
    }
  }
  if (command !== 'train' && command !== 'evaluate') {
    logError(`unknown command "${command ?? ''}"; ${USAGE}`);
    return 64;
  }
  try {
    if (command === 'train') runTrain(env, log);
    else await runEvaluate(env, log);
    return 0;
  } catch (error) {
    const reason = writeFailure(env, error);
    logError(`${command} failed: ${reason}`);
    if (!(error instanceof InputError)) logError((error as Error).stack ?? String(error));
    return 1;
  }
}
