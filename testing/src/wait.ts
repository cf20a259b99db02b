/**
 * Waiting in a test for what the pipeline or the stack does in its own time: poll until a check answers a
 * value. A check that throws (an object not there yet) is polled again; its last error is in the timeout's
 * message, with what was awaited.
 */
export async function eventually<T>(
  /** What is awaited; a function is asked when the time is out (to tell the last value seen). */
  what: string | (() => string),
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = `; last error: ${(error as Error).message}`;
    }
    if (Date.now() > deadline) {
      const awaited = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${awaited}${lastError}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
