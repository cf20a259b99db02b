// One warm Lambda execution environment: a child process that imports the function's bundle once and runs
// each invocation it receives over IPC with a Lambda-like context. Started by FunctionRuntime.
import { pathToFileURL } from 'node:url';

interface InvokeMessage {
  type: 'invoke';
  id: string;
  event: unknown;
  context: Record<string, unknown> & { deadline: number };
}

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (error?: unknown, result?: unknown) => void,
) => unknown;

const [bundlePath = '', exportName = 'handler'] = process.argv.slice(2);
let handlerPromise: Promise<Handler> | undefined;
let current: string | undefined;

const send = (message: unknown): void => {
  process.send?.(message);
};

const serializeError = (
  error: unknown,
): { errorType: string; errorMessage: string; stackTrace: string[] } => {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: err.name || 'Error',
    errorMessage: err.message,
    stackTrace: (err.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim()),
  };
};

const fail = (errorType: string) => (error: unknown) => {
  if (current)
    send({
      type: 'result',
      id: current,
      ok: false,
      error: { ...serializeError(error), errorType },
      fatal: true,
    });
  process.exit(1);
};
process.on('uncaughtException', fail('Runtime.UncaughtException'));
process.on('unhandledRejection', fail('Runtime.UnhandledPromiseRejection'));

async function loadHandler(): Promise<Handler> {
  const module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  const handler = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof handler !== 'function') {
    const error = new Error(`${bundlePath} does not export a function "${exportName}"`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler as Handler;
}

process.on('message', (message: InvokeMessage) => {
  if (message.type !== 'invoke') return;
  current = message.id;
  const { deadline, ...fields } = message.context;
  const context = {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const run = async (): Promise<unknown> => {
    handlerPromise ??= loadHandler();
    const handler = await handlerPromise;
    if (handler.length >= 3) {
      return new Promise((resolve, reject) => {
        const maybe = handler(message.event, context, (error, result) =>
          error ? reject(error) : resolve(result),
        );
        if (maybe && typeof (maybe as Promise<unknown>).then === 'function')
          (maybe as Promise<unknown>).then(resolve, reject);
      });
    }
    return handler(message.event, context);
  };
  run().then(
    (value) => {
      current = undefined;
      send({
        type: 'result',
        id: message.id,
        ok: true,
        value: value === undefined ? null : value,
        rss: process.memoryUsage.rss(),
      });
    },
    (error: unknown) => {
      current = undefined;
      send({
        type: 'result',
        id: message.id,
        ok: false,
        error: serializeError(error),
        rss: process.memoryUsage.rss(),
      });
    },
  );
});

send({ type: 'ready' });
