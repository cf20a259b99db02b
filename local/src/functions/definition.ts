// A function as the stack runs it, from the Lambda resources of a deployed template.
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
