// The edge endpoint: one HTTP server on loopback that routes each request by the SigV4 service name of its
// credential scope, like LocalStack's. Unknown services and operations get an AWS-shaped error, never a hang:
// a request whose target cannot be parsed is refused, a body that stops arriving is answered `RequestTimeout`
// (as S3 does) and headers that never end are cut off, so one bad client cannot hold or crash the stack.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  AwsError,
  sendJsonError,
  sendQueryError,
  sendRestJsonError,
  sendSqsError,
  sendXmlError,
} from './aws/errors.js';
import { type CredentialScope, credentialScopeOf } from './aws/sigv4.js';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
  /** The region of the request's credential scope; undefined for an unsigned request (the stack's own). */
  region: string | undefined,
) => Promise<void>;

export interface EdgeRoutes {
  /** `/_local/...` introspection and image registry */
  local: RouteHandler;
  s3: RouteHandler;
  sagemaker: RouteHandler;
  sagemakerRuntime: RouteHandler;
  events: RouteHandler;
  /** SNS (Query protocol): its errors are XML documents of their own */
  sns: RouteHandler;
  /** SQS (JSON 1.0, query-compatible errors) */
  sqs: RouteHandler;
  /** Lambda's Invoke (REST-JSON) */
  lambda: RouteHandler;
  /** CloudFormation (Query protocol) */
  cloudformation: RouteHandler;
  /** STS's GetCallerIdentity (Query protocol) */
  sts: RouteHandler;
  /** ECR's DescribeRepositories (JSON 1.1) */
  ecr: RouteHandler;
  /** CloudWatch Logs of the functions (JSON 1.1) */
  logs: RouteHandler;
}

/** A request body that sends nothing for this long is answered `RequestTimeout` and the connection closed. */
export const BODY_IDLE_TIMEOUT_MS = 10_000;
/** Headers must be complete within this long (Node's default is a minute). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * A response the edge may have answered already (a body that stopped arriving): what a late handler still
 * writes is then ignored, not a crash. A subclass rather than a `writeHead` wrapper set on each response: the
 * per-request closure and own property cost the hot path (InvokeEndpoint) and made every response's shape
 * differ from ServerResponse's.
 */
class EdgeResponse extends http.ServerResponse {
  timedOut = false;

  override writeHead(...args: unknown[]): this {
    // a handler that answers after the edge did (a proxied S3 response, say) is ignored, not a crash
    if (this.timedOut) return this;
    return (super.writeHead as (...a: unknown[]) => this).apply(this, args);
  }
}

const RUNTIME_PATH = /^\/endpoints\/[^/]+\/(invocations|async-invocations|invocations-response-stream)$/;

/** Which emulated service a request is for; `undefined` when the stack does not serve it. */
export function serviceOf(
  req: IncomingMessage,
  url: URL,
  scope: CredentialScope | undefined = credentialScopeOf(req.headers, url),
): keyof EdgeRoutes | { unknown: string } {
  if (url.pathname.startsWith('/_local/')) return 'local';
  const target = String(req.headers['x-amz-target'] ?? '');
  const service =
    scope?.service ??
    (target.startsWith('SageMaker.')
      ? 'sagemaker'
      : target.startsWith('AWSEvents.')
        ? 'events'
        : target.startsWith('AmazonSQS.')
          ? 'sqs'
          : // unsigned, an InvokeEndpoint is known by its path (AWS by its host, runtime.sagemaker)
            req.method === 'POST' && !url.search && RUNTIME_PATH.test(url.pathname)
            ? 'runtime.sagemaker'
            : 's3');
  switch (service) {
    case 's3':
      return 's3';
    case 'sagemaker':
    case 'runtime.sagemaker':
      return req.method === 'POST' && RUNTIME_PATH.test(url.pathname) ? 'sagemakerRuntime' : 'sagemaker';
    case 'events':
      return 'events';
    case 'sns':
      return 'sns';
    case 'sqs':
      return 'sqs';
    case 'lambda':
      return 'lambda';
    case 'cloudformation':
      return 'cloudformation';
    case 'sts':
      return 'sts';
    case 'ecr':
    case 'api.ecr':
      return 'ecr';
    case 'logs':
      return 'logs';
    default:
      return { unknown: service };
  }
}

export async function startEdge(port: number, routes: EdgeRoutes): Promise<{ server: Server; port: number }> {
  const server = http.createServer<typeof http.IncomingMessage, typeof EdgeResponse>(
    { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000, ServerResponse: EdgeResponse },
    (req, res: EdgeResponse) => {
      const requestId = randomUUID();
      let url: URL;
      let badTarget = false;
      try {
        url = new URL(req.url ?? '/', 'http://127.0.0.1');
      } catch {
        // e.g. `GET //` or `GET //a:b@:x/`: no URL to route, but still a request to answer
        url = new URL('/', 'http://127.0.0.1');
        badTarget = true;
      }
      let route: ReturnType<typeof serviceOf>;
      let scope: CredentialScope | undefined;
      try {
        scope = credentialScopeOf(req.headers, url);
        route = serviceOf(req, url, scope);
      } catch {
        route = { unknown: 'unknown' };
      }
      const fail = (error: unknown): void => {
        const awsError =
          error instanceof AwsError
            ? error
            : new AwsError('InternalFailure', error instanceof Error ? error.message : String(error), 500);
        if (res.headersSent) {
          res.destroy(awsError);
          return;
        }
        req.resume();
        if (route === 's3') sendXmlError(res, awsError, requestId);
        else if (route === 'sns' || route === 'cloudformation' || route === 'sts')
          sendQueryError(res, awsError, requestId);
        else if (route === 'sqs') sendSqsError(res, awsError, requestId);
        else if (route === 'lambda') sendRestJsonError(res, awsError, requestId);
        else sendJsonError(res, awsError, requestId);
      };
      // A body that stops arriving: answered and closed, so neither the client nor the handler waits forever.
      // Once the request is complete the timer is off: the handler may take its time (a model, say).
      req.socket.setTimeout(BODY_IDLE_TIMEOUT_MS);
      res.on('timeout', () => {
        if (req.complete || res.headersSent) {
          req.socket.setTimeout(0);
          return;
        }
        res.setHeader('connection', 'close');
        fail(
          new AwsError(
            'RequestTimeout',
            'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
          ),
        );
        res.timedOut = true;
        res.on('error', () => {}); // what a late handler still writes is dropped, not thrown
        res.once('finish', () => {
          req.socket.destroySoon();
          // The answered request is detached from its socket: end its body for whoever still reads it (the S3
          // proxy's upstream request, say), or that reader waits forever and holds the stack open at stop.
          req.socket.once('close', () => req.destroy());
        });
      });
      if (badTarget) {
        req.resume();
        fail(
          new AwsError('InvalidURI', `Couldn't parse the specified URI: ${String(req.url).slice(0, 200)}`),
        );
        return;
      }
      if (typeof route === 'object') {
        req.resume();
        fail(
          new AwsError(
            'UnknownOperationException',
            `The local stack does not serve the AWS service "${route.unknown.slice(0, 100)}" (it serves s3, sagemaker, events, sns, sqs, lambda, cloudformation, sts, ecr, logs)`,
          ),
        );
        return;
      }
      // the route's promise, without an async wrapper around it: one promise less on every request
      let handled: Promise<void>;
      try {
        handled = routes[route](req, res, url, requestId, scope?.region);
      } catch (error) {
        fail(error);
        return;
      }
      handled.catch(fail);
    },
  );
  // CONNECT (a proxy tunnel) is no AWS API: without a listener Node would drop the connection unanswered
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const body = JSON.stringify({ __type: 'MethodNotAllowed', message: `${req.method} is not supported` });
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: MethodNotAllowed\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on 127.0.0.1 is already in use: stop what runs there or pass --port <other>`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  return { server: server as unknown as Server, port: (server.address() as AddressInfo).port };
}
