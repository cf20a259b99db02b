// A function as the stack runs it, from the Lambda resources of a deployed template, and the records of its
// invocations.
/** A deployed function: what its template's Lambda::Function (and invoke config) says, and its extracted code. */
export interface FunctionDefinition {
  /** The stack it belongs to. */
  service: string;
  /** Its key in serverless.yml (`deployModel`): its deployed name without the `<stack>-` prefix. */
  name: string;
  /** Its deployed name (`mlpipe-local-deploy-model-local-deployModel`). */
  functionName: string;
  /** The folder its deployment package was extracted to (LAMBDA_TASK_ROOT). */
  codeDir: string;
  handler: string;
  /** The handler's module in the deployed code, run as it is. */
  handlerFile: string;
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memorySize: number;
  maximumRetryAttempts: number;
  /** How long Lambda keeps an asynchronous event, retries included, in seconds (AWS: 60-21600, default 21600). */
  maximumEventAge: number;
  /** ARN of the on-failure destination of asynchronous invocations. */
  onFailure?: string;
  reservedConcurrency?: number;
  /** Its log file under logs/functions/ (default: its name; the deployed name when a stack runs several stages). */
  logName?: string;
}

export interface InvocationError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InvocationResult = { ok: true; value: unknown } | { ok: false; error: InvocationError };

export interface Trigger {
  source: 'eventbridge' | 'schedule' | 'sqs' | 's3' | 'direct';
  eventId?: string;
}

export interface InvocationRecord {
  requestId: string;
  /** The function's name in its serverless.yml (`deployModel`). */
  function: string;
  /** Its deployed name (`mlpipe-local-deploy-model-local-deployModel`): the stage tells pipelines apart. */
  functionName: string;
  trigger: Trigger['source'];
  eventId?: string;
  attempt: number;
  start: string;
  durationMs: number;
  cold: boolean;
  status: 'success' | 'error';
  result?: unknown;
  error?: InvocationError;
}

/** What Lambda sends an on-failure destination for an asynchronous invocation it gives up on. */
export interface AsyncFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError: string };
  responsePayload?: InvocationError;
}

/**
 * The function name in a reference as Lambda takes one: a name, a partial ARN (`<account>:function:<name>`) or an
 * ARN, each with or without a qualifier (`:$LATEST`, `:1`).
 */
export function functionNameOf(reference: string): string {
  const parts = reference.split(':');
  if (parts[0] !== 'arn') return parts.length >= 3 ? String(parts[2]) : String(parts[0]);
  return String(parts[6] ?? reference);
}
