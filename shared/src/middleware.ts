/**
 * The middy stack every stage uses, around a typed business function:
 * 1. Powertools logger with the Lambda context, keys reset per invocation;
 * 2. the event parsed with the stage's schema (Powertools parser), before any AWS call;
 * 3. correlation keys (event id, job name...) appended once per invocation;
 * 4. error handling: a malformed event is a validation result naming the field, terminal faults are
 *    logged and reported in the result, retryable and unknown faults are logged and rethrown so Lambda
 *    (or SQS) delivers the event again.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ParseError } from '@aws-lambda-powertools/parser';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type GenericSchema, type InferOutput, ValiError } from 'valibot';
import { ConfigError, isRetryable, TerminalError } from './errors.js';

export interface InvalidEventResult {
  status: 'invalid';
  error: string;
  issues: { path: string; message: string }[];
}

export interface FailedResult {
  status: 'failed';
  error: string;
}

export interface StageHandlerOptions<S extends GenericSchema, R> {
  /** Schema of the incoming event; the business function receives its output. */
  schema: S;
  /** Logger of the stage, created at module scope. */
  logger: Logger;
  /** Keys to append to every log line of this invocation, from the parsed event. */
  correlationKeys?: (event: InferOutput<S>) => Record<string, unknown>;
  /** The business function. */
  handler: (event: InferOutput<S>, context: Context) => Promise<R>;
  /** Logs the business function's result, at the level and with the message it calls for. */
  logResult?: (result: R) => void;
}

export type StageResult<R> = R | InvalidEventResult | FailedResult;

interface SchemaIssue {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[] | undefined;
}

const issuePath = (issue: SchemaIssue) =>
  (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.') || '(event)';

/**
 * Flattens a validation failure into `path: message` pairs: a valibot error, or Powertools' ParseError whose
 * cause is the Standard Schema issue list.
 */
export function validationIssues(error: unknown): { path: string; message: string }[] {
  const cause = error instanceof ParseError ? error.cause : error;
  const issues: SchemaIssue[] | undefined =
    cause instanceof ValiError ? cause.issues : Array.isArray(cause) ? (cause as SchemaIssue[]) : undefined;
  if (issues?.length) return issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
  return [{ path: '(event)', message: error instanceof Error ? error.message : String(error) }];
}

function errorMiddleware(logger: Logger): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof ParseError || error instanceof ValiError) {
        const issues = validationIssues(error);
        const message = `Invalid event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
        logger.error(message, { issues });
        request.response = { status: 'invalid', error: message, issues } satisfies InvalidEventResult;
        return;
      }
      if (error instanceof TerminalError || error instanceof ConfigError) {
        logger.error('Terminal failure, the event will not be retried', { error });
        request.response = { status: 'failed', error: error.message } satisfies FailedResult;
        return;
      }
      // Retryable faults and anything unexpected: rethrown, so Lambda retries and then dead-letters.
      logger.error(isRetryable(error) ? 'Retryable failure, rethrowing' : 'Unexpected failure, rethrowing', {
        error,
      });
    },
  };
}

function correlationMiddleware<S extends GenericSchema>(
  logger: Logger,
  keys: (event: InferOutput<S>) => Record<string, unknown>,
): MiddlewareObj<InferOutput<S>, unknown, Error, Context> {
  return {
    before: (request) => {
      logger.appendKeys(keys(request.event));
    },
  };
}

/** Wraps a business function in the stage middleware stack; the result is the deployed Lambda handler. */
export function createStageHandler<S extends GenericSchema, R>(
  options: StageHandlerOptions<S, R>,
): MiddyfiedHandler<unknown, StageResult<R>, Error, Context> {
  const { schema, logger, correlationKeys, handler, logResult } = options;
  const stack = middy<unknown, StageResult<R>, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(parser({ schema }) as MiddlewareObj<unknown, StageResult<R>, Error, Context>);
  if (correlationKeys) {
    stack.use(
      correlationMiddleware(logger, correlationKeys) as MiddlewareObj<
        unknown,
        StageResult<R>,
        Error,
        Context
      >,
    );
  }
  return stack
    .use(errorMiddleware(logger) as MiddlewareObj<unknown, StageResult<R>, Error, Context>)
    .handler(async (event, context) => {
      const result = await handler(event as InferOutput<S>, context);
      logResult?.(result);
      return result;
    });
}

/** The logger of a stage; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL still override it. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
