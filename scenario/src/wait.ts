/**
 * Waiting as the scenario does: poll what the AWS APIs of the stack say until a step is done, and give up early,
 * with the function's own error, as soon as a stage function has failed for good.
 */
import type { Stack } from '@sagemaker-pipeline/local';

export class StepFailed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reports why the run cannot go on (a function that failed for good), or undefined. */
let abortCheck: () => string | undefined = () => undefined;

/** From now on, waitFor gives up as soon as `check` names a failure (until it is set again). */
export function abortWhen(check: () => string | undefined): void {
  abortCheck = check;
}

/**
 * Polls `probe` until it returns a value. Throws StepFailed after `timeoutMs`, or as soon as a stage
 * function has failed for good, with its error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const abort = abortCheck();
    if (abort) throw new StepFailed(abort);
    if (Date.now() > deadline)
      throw new StepFailed(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(150);
  }
}

/** The first invocation that failed for good: a terminal result, or an error on its last attempt. */
export function terminalFailure(stack: Stack): string | undefined {
  for (const invocation of stack.functions.invocations) {
    const result = invocation.result as { status?: string; error?: string } | undefined;
    if (invocation.status === 'success' && (result?.status === 'failed' || result?.status === 'invalid')) {
      return `${invocation.function} failed: ${result.error ?? result.status}`;
    }
    if (invocation.status === 'error' && invocation.trigger === 'eventbridge' && invocation.attempt >= 3) {
      return `${invocation.function} failed after ${invocation.attempt} attempts: ${invocation.error?.errorMessage ?? ''}`;
    }
  }
  return undefined;
}
