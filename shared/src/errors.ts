/**
 * Error classes shared by every stage, and the one place that decides whether a fault is worth a retry.
 * Retryable faults are rethrown so Lambda (or SQS) delivers the event again; terminal ones are reported.
 */

/** A fault that will go away by itself (a busy endpoint, a running job): throw it so the event is retried. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
}

/** A fault that no retry can fix (bad configuration, a failed upstream job): logged and reported. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** Environment variables missing or malformed at cold start; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const RETRYABLE_AWS_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'TimeoutError',
]);

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True for faults that a later delivery of the same event can succeed on. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof TerminalError || error instanceof ConfigError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && RETRYABLE_AWS_ERRORS.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

/** The SDK error name (`ResourceInUse`, `ValidationException`...) or undefined for other errors. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name } = error as AwsLikeError;
  return typeof name === 'string' ? name : undefined;
}
