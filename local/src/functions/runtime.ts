// Lambda for the deployed functions: each handler, as its deployment package has it, run in its own warm child
// process with the environment of its template, one invocation at a time per
// process like a Lambda execution environment, with the function's timeout. Asynchronous invocations
// (EventBridge targets, schedules) are retried on error like Lambda, bounded, with delays on the stack's time
// scale; an event whose retries are exhausted, or that grew older than the function's maximum event age, goes
// to the function's on-failure destination in Lambda's record shape.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StackLogger } from '../log.js';
import { ProcessTracker } from '../sagemaker/containers.js';
import {
  type AsyncFailureRecord,
  type FunctionDefinition,
  functionNameOf,
  type InvocationError,
  type InvocationRecord,
  type InvocationResult,
  type Trigger,
} from './definition.js';
import { lambdaEnvironment, workerScript } from './environment.js';

// the definition and the records of an invocation, with the runtime that makes them
export * from './definition.js';

interface Instance {
  child: ChildProcess;
  busy: boolean;
  ready: Promise<void>;
  pending?: { id: string; resolve: (result: InvocationResult) => void };
  used: boolean;
  /** The most memory its process held after an invocation (Lambda's Max Memory Used). */
  maxRss?: number;
}

interface FunctionState {
  definition: FunctionDefinition;
  instances: Instance[];
  waiting: (() => void)[];
  /** Instances being started: they count against the concurrency limit before they exist. */
  spawning: number;
  log?: WriteStream;
  /** The lines its environments wrote, with when (CloudWatch Logs' events of its log group); the last 10,000. */
  events: { timestamp: number; message: string }[];
  /** Replaced by an update: what runs on it finishes there, then its environments end; nothing new starts on it. */
  retired?: boolean;
}

export interface FunctionRuntimeOptions {
  dir: string;
  region: string;
  account: string;
  endpoint: () => string;
  logger: StackLogger;
  tracker: ProcessTracker;
  /** Delay before the first retry of a failed asynchronous invocation; the second waits twice as long. */
  retryDelayMs: number;
  /** Stack time per AWS time, for the functions' maximum event age. */
  timeScale: number;
  /** Receives the record of an asynchronous event that was given up on, when the function has a destination. */
  onAsyncFailure?: (definition: FunctionDefinition, record: AsyncFailureRecord) => void;
}

const MAX_RECORDS = 5_000;

const MAX_LOG_EVENTS = 10_000;

export class FunctionRuntime {
  readonly invocations: InvocationRecord[] = [];
  private readonly functions = new Map<string, FunctionState>();
  private workerScriptFile?: Promise<string>;
  private stopped = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: FunctionRuntimeOptions) {}

  register(definition: FunctionDefinition): void {
    this.functions.set(definition.functionName, FunctionRuntime.newState(definition));
  }

  /** A function's state with no environment yet; its log and log events those of `previous`, if any. */
  private static newState(definition: FunctionDefinition, previous?: FunctionState): FunctionState {
    return {
      definition,
      instances: [],
      waiting: [],
      spawning: 0,
      events: previous?.events ?? [],
      ...(previous?.log ? { log: previous.log } : {}),
    };
  }

  /**
   * An update of a function's code or configuration, as Lambda makes it: invocations under way finish on the
   * code they started with, in their environments, which then end; every later invocation runs the new
   * definition in a new environment. Its log and log events go on.
   */
  replace(definition: FunctionDefinition): void {
    const previous = this.functions.get(definition.functionName);
    this.functions.set(definition.functionName, FunctionRuntime.newState(definition, previous));
    if (!previous) return;
    previous.retired = true;
    for (const instance of previous.instances.filter((candidate) => !candidate.busy))
      ProcessTracker.kill(instance.child);
    // those waiting for an environment of the old definition take one of the new
    for (const waiting of previous.waiting.splice(0)) waiting();
  }

  /** Removes a function: its warm environments end; an invocation under way ends with them. */
  unregister(functionName: string): void {
    const state = this.functions.get(functionName);
    if (!state) return;
    this.functions.delete(functionName);
    for (const instance of state.instances) ProcessTracker.kill(instance.child);
    state.log?.end();
  }

  /** What a function's environments wrote, oldest first, each line with when (its CloudWatch Logs events). */
  logEvents(functionName: string): readonly { timestamp: number; message: string }[] {
    return this.functions.get(functionName)?.events ?? [];
  }

  /** The definition of a function by its deployed name (mutable: an invoke config changes it in place). */
  definition(functionName: string): FunctionDefinition | undefined {
    return this.functions.get(functionName)?.definition;
  }

  /** The function a name, a partial ARN or an ARN (qualified or not) stands for, if the stack has it. */
  find(reference: string): FunctionDefinition | undefined {
    return this.stateOf(functionNameOf(reference))?.definition;
  }

  /** A function by its deployed name, or by its name in serverless.yml when that is unambiguous enough. */
  private stateOf(name: string): FunctionState | undefined {
    return (
      this.functions.get(name) ?? [...this.functions.values()].find((state) => state.definition.name === name)
    );
  }

  list(): FunctionDefinition[] {
    return [...this.functions.values()].map((state) => state.definition);
  }

  has(name: string): boolean {
    return this.stateOf(name) !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    for (const state of this.functions.values()) {
      for (const instance of state.instances) ProcessTracker.kill(instance.child);
      state.log?.end();
    }
  }

  /** The worker that runs a handler in a child process (compiled once when the stack runs from sources). */
  private get workerScript(): Promise<string> {
    this.workerScriptFile ??= workerScript(this.options.dir);
    return this.workerScriptFile;
  }

  private logOf(state: FunctionState): { write(text: string | Buffer): void } {
    if (!state.log) {
      const file = path.join(
        this.options.dir,
        'logs',
        'functions',
        `${state.definition.logName ?? state.definition.name}.log`,
      );
      state.log = createWriteStream(file, { flags: 'a' });
    }
    const log = state.log;
    return {
      write: (text) => {
        const timestamp = Date.now();
        for (const line of String(text).split('\n')) {
          if (line.trim()) state.events.push({ timestamp, message: line });
        }
        if (state.events.length > MAX_LOG_EVENTS)
          state.events.splice(0, state.events.length - MAX_LOG_EVENTS);
        if (!log.writableEnded) log.write(text);
      },
    };
  }

  private async spawnInstance(state: FunctionState): Promise<Instance> {
    const script = await this.workerScript;
    const bundle = state.definition.handlerFile;
    await mkdir(path.join(this.options.dir, 'logs', 'functions'), { recursive: true });
    const exportName = state.definition.handler.slice(state.definition.handler.lastIndexOf('.') + 1);
    const child = fork(script, [bundle, exportName], {
      cwd: state.definition.codeDir,
      env: lambdaEnvironment(state.definition, this.options),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      execArgv: [],
    });
    this.options.tracker.add(child);
    // The stack stopped while this environment was being started: it must not outlive the stack.
    if (this.stopped) ProcessTracker.kill(child);
    const log = this.logOf(state);
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    let markReady: () => void = () => {};
    const instance: Instance = {
      child,
      busy: false,
      used: false,
      ready: new Promise<void>((resolve) => {
        markReady = resolve;
      }),
    };
    child.on(
      'message',
      (message: {
        type: string;
        id?: string;
        ok?: boolean;
        value?: unknown;
        error?: InvocationError;
        rss?: number;
      }) => {
        if (message.type === 'ready') markReady();
        if (typeof message.rss === 'number') instance.maxRss = Math.max(instance.maxRss ?? 0, message.rss);
        const pending = instance.pending;
        if (message.type === 'result' && pending && pending.id === message.id) {
          instance.pending = undefined;
          pending.resolve(
            message.ok
              ? { ok: true, value: message.value }
              : { ok: false, error: message.error ?? { errorType: 'Error', errorMessage: 'unknown' } },
          );
        }
      },
    );
    child.once('exit', (code) => {
      markReady();
      state.instances = state.instances.filter((candidate) => candidate !== instance);
      if (instance.pending) {
        const pending = instance.pending;
        instance.pending = undefined;
        pending.resolve({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${pending.id} Error: Runtime exited with error: exit status ${code}`,
          },
        });
      }
      this.release(state);
    });
    state.instances.push(instance);
    return instance;
  }

  private release(state: FunctionState): void {
    state.waiting.shift()?.();
  }

  private async acquire(state: FunctionState): Promise<{ instance: Instance; cold: boolean } | undefined> {
    const limit = state.definition.reservedConcurrency ?? 10;
    for (let attempt = 0; attempt < 10_000; attempt += 1) {
      // replaced meanwhile: the caller takes the function's current definition
      if (state.retired) return undefined;
      const idle = state.instances.find((instance) => !instance.busy);
      if (idle) {
        idle.busy = true;
        return { instance: idle, cold: !idle.used };
      }
      if (state.instances.length + state.spawning < limit) {
        state.spawning += 1;
        try {
          const instance = await this.spawnInstance(state);
          instance.busy = true;
          return { instance, cold: true };
        } finally {
          state.spawning -= 1;
        }
      }
      await new Promise<void>((resolve) => state.waiting.push(resolve));
    }
    throw new Error(`no execution environment for ${state.definition.name}`);
  }

  /**
   * A synchronous invocation (RequestResponse), as the SQS event source mapping makes; the attempts of an
   * asynchronous one share its request id, as on Lambda.
   */
  async invoke(
    name: string,
    event: unknown,
    trigger: Trigger,
    attempt = 1,
    requestId: string = randomUUID(),
  ): Promise<InvocationResult> {
    const found = this.stateOf(name);
    if (!found)
      return {
        ok: false,
        error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${name}` },
      };
    let state: FunctionState = found;
    const start = new Date();
    let result: InvocationResult;
    let cold = false;
    try {
      let acquired = await this.acquire(state);
      while (!acquired) {
        const current = this.stateOf(name);
        if (!current) throw new Error(`Function not found: ${name}`);
        state = current;
        acquired = await this.acquire(state);
      }
      cold = acquired.cold;
      const instance = acquired.instance;
      await instance.ready;
      instance.used = true;
      const timeoutMs = state.definition.timeoutSeconds * 1000;
      const log = this.logOf(state);
      log.write(`START RequestId: ${requestId} Version: $LATEST\n`);
      result = await new Promise<InvocationResult>((resolve) => {
        const timer = setTimeout(() => {
          instance.pending = undefined;
          ProcessTracker.kill(instance.child, 'SIGKILL');
          resolve({
            ok: false,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `RequestId: ${requestId} Error: Task timed out after ${state.definition.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
        instance.pending = {
          id: requestId,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        const fail = (message: string) => {
          instance.pending = undefined;
          clearTimeout(timer);
          resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: message } });
        };
        // The environment may have exited (the stack stopping, a crash) between acquiring and sending.
        if (!instance.child.connected) {
          fail(`RequestId: ${requestId} Error: the execution environment exited before the invocation`);
          return;
        }
        instance.child.send(
          {
            type: 'invoke',
            id: requestId,
            event,
            context: {
              functionName: state.definition.functionName,
              functionVersion: '$LATEST',
              invokedFunctionArn: this.functionArn(state.definition),
              memoryLimitInMB: String(state.definition.memorySize),
              awsRequestId: requestId,
              logGroupName: `/aws/lambda/${state.definition.functionName}`,
              logStreamName: `local/[$LATEST]${name}`,
              deadline: Date.now() + timeoutMs,
            },
          },
          (error) => {
            if (error)
              fail(
                `RequestId: ${requestId} Error: cannot reach the execution environment (${error.message})`,
              );
          },
        );
      });
      const duration = Date.now() - start.getTime();
      // Lambda's REPORT line, field by field (the framework's `logs` reads them by position)
      const maxMemoryMb = Math.ceil((instance.maxRss ?? 0) / (1024 * 1024));
      log.write(
        `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(duration))} ms\tMemory Size: ${state.definition.memorySize} MB\tMax Memory Used: ${maxMemoryMb} MB\t\n`,
      );
      instance.busy = false;
      // an environment of a replaced definition ends once its invocation is done
      if (state.retired) ProcessTracker.kill(instance.child);
      else this.release(state);
    } catch (error) {
      result = {
        ok: false,
        error: { errorType: 'Runtime.InitError', errorMessage: (error as Error).message },
      };
    }
    const record: InvocationRecord = {
      requestId,
      function: state.definition.name,
      functionName: state.definition.functionName,
      trigger: trigger.source,
      eventId: trigger.eventId,
      attempt,
      start: start.toISOString(),
      durationMs: Date.now() - start.getTime(),
      cold,
      status: result.ok ? 'success' : 'error',
      ...(result.ok ? { result: result.value } : { error: result.error }),
    };
    this.invocations.push(record);
    if (this.invocations.length > MAX_RECORDS)
      this.invocations.splice(0, this.invocations.length - MAX_RECORDS);
    const summary = result.ok
      ? `ok ${JSON.stringify(result.value)?.slice(0, 160)}`
      : `${result.error.errorType}: ${result.error.errorMessage.slice(0, 200)}`;
    this.options.logger.info(
      'lambda',
      `${name} <- ${trigger.source}${trigger.eventId ? ` ${trigger.eventId}` : ''}${attempt > 1 ? ` (retry ${attempt - 1})` : ''} ${record.durationMs} ms${cold ? ' cold' : ''}: ${summary}`,
    );
    return result;
  }

  /**
   * An asynchronous invocation (Event): on error, retried up to the function's maximumRetryAttempts (at most 2)
   * while the event is younger than its maximum event age; then it goes to the on-failure destination.
   */
  invokeAsync(name: string, event: unknown, trigger: Trigger): void {
    const state = this.stateOf(name);
    const retries = Math.min(state?.definition.maximumRetryAttempts ?? 2, 2);
    const maxAgeMs = (state?.definition.maximumEventAge ?? 21_600) * 1000 * this.options.timeScale;
    const queuedAt = Date.now();
    const requestId = randomUUID();
    const giveUp = (
      condition: AsyncFailureRecord['requestContext']['condition'],
      attempts: number,
      error?: InvocationError,
    ): void => {
      if (!state) return;
      this.options.logger.warn(
        'lambda',
        `${name} gave up on ${trigger.eventId ?? 'an event'} (${condition} after ${attempts} attempt(s))`,
      );
      this.options.onAsyncFailure?.(state.definition, {
        version: '1.0',
        timestamp: new Date().toISOString(),
        requestContext: {
          requestId,
          functionArn: `${this.functionArn(state.definition)}:$LATEST`,
          condition,
          approximateInvokeCount: attempts,
        },
        requestPayload: event,
        ...(error
          ? {
              responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
              responsePayload: error,
            }
          : {}),
      });
    };
    const attemptOnce = (attempt: number): void => {
      if (this.stopped) return;
      void this.invoke(name, event, trigger, attempt, requestId).then((result) => {
        if (result.ok || this.stopped) return;
        if (attempt > retries) {
          giveUp('RetriesExhausted', attempt, result.error);
          return;
        }
        const delay = this.options.retryDelayMs * attempt;
        if (Date.now() + delay - queuedAt > maxAgeMs) {
          giveUp('EventAgeExceeded', attempt, result.error);
          return;
        }
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          attemptOnce(attempt + 1);
        }, delay);
        this.retryTimers.add(timer);
      });
    };
    attemptOnce(1);
  }

  functionArn(definition: FunctionDefinition): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.account}:function:${definition.functionName}`;
  }
}
