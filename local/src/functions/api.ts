// Lambda's Invoke (REST-JSON, `POST /2015-03-31/functions/<name>/invocations`) for the stack's functions, by
// name, partial or full ARN, with or without the `$LATEST` qualifier: `Event` invocations are queued like
// Lambda's asynchronous ones (retries, event age, on-failure destination), `RequestResponse` answers with the
// function's result or its error, `DryRun` checks the function exists. This is how `pnpm run pipeline replay`
// hands an event back to its function offline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws/errors.js';
import { readBody } from '../http-util.js';
import type { FunctionRuntime } from './runtime.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's payload limits: 256 KB for an asynchronous event, 6 MB for a synchronous one. */
const MAX_ASYNC_PAYLOAD = 256 * 1024;
const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;

export class LambdaApi {
  /** Without a runtime: a region where nothing is deployed, every function not found. */
  constructor(private readonly runtime?: FunctionRuntime) {}

  /** The function a name, a partial ARN (`account:function:name`) or a full ARN stands for, without qualifier. */
  private functionOf(reference: string): { runtime: FunctionRuntime; name: string } {
    const found = this.runtime?.find(reference);
    if (!this.runtime || !found) {
      throw new AwsError('ResourceNotFoundException', `Function not found: ${reference.slice(0, 200)}`, 404, {
        Type: 'User',
      });
    }
    return { runtime: this.runtime, name: found.functionName };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      req.resume();
      throw new AwsError(
        'UnknownOperationException',
        `The local Lambda serves only Invoke (POST /2015-03-31/functions/<name>/invocations), not ${req.method} ${url.pathname.slice(0, 100)}`,
      );
    }
    const { runtime, name } = this.functionOf(decodeURIComponent(match[1]));
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const body = await readBody(req, type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
    let event: unknown;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json', 400, {
        Type: 'User',
      });
    }
    switch (type) {
      case 'Event':
        runtime.invokeAsync(name, event, { source: 'direct', eventId: requestId });
        res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 });
        res.end();
        return;
      case 'DryRun':
        res.writeHead(204, { 'x-amzn-requestid': requestId });
        res.end();
        return;
      case 'RequestResponse': {
        const result = await runtime.invoke(name, event, { source: 'direct', eventId: requestId });
        const payload = JSON.stringify(result.ok ? (result.value ?? null) : result.error);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-amzn-requestid': requestId,
          'x-amz-executed-version': '$LATEST',
          ...(result.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
        });
        res.end(payload);
        return;
      }
      default:
        throw new AwsError(
          'InvalidParameterValueException',
          `1 validation error detected: Value '${type.slice(0, 50)}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
        );
    }
  }
}
