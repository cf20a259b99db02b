// The edge endpoint: one HTTP server on loopback that routes each request by the SigV4 service name of its
// credential scope, like LocalStack's. Unknown services and operations get an AWS-shaped error, never a hang.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, sendJsonError, sendXmlError } from './aws/errors.js';
import { credentialScopeOf } from './aws/sigv4.js';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
) => Promise<void>;

export interface EdgeRoutes {
  /** `/_local/...` introspection and image registry */
  local: RouteHandler;
  s3: RouteHandler;
  sagemaker: RouteHandler;
  sagemakerRuntime: RouteHandler;
  events: RouteHandler;
}

const RUNTIME_PATH = /^\/endpoints\/[^/]+\/(invocations|async-invocations|invocations-response-stream)$/;

/** Which emulated service a request is for; `undefined` when the stack does not serve it. */
export function serviceOf(req: IncomingMessage, url: URL): keyof EdgeRoutes | { unknown: string } {
  if (url.pathname.startsWith('/_local/')) return 'local';
  const scope = credentialScopeOf(req.headers, url);
  const target = String(req.headers['x-amz-target'] ?? '');
  const service =
    scope?.service ??
    (target.startsWith('SageMaker.') ? 'sagemaker' : target.startsWith('AWSEvents.') ? 'events' : 's3');
  switch (service) {
    case 's3':
      return 's3';
    case 'sagemaker':
    case 'runtime.sagemaker':
      return req.method === 'POST' && RUNTIME_PATH.test(url.pathname) ? 'sagemakerRuntime' : 'sagemaker';
    case 'events':
      return 'events';
    default:
      return { unknown: service };
  }
}

export async function startEdge(port: number, routes: EdgeRoutes): Promise<{ server: Server; port: number }> {
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = serviceOf(req, url);
    const handle = async (): Promise<void> => {
      if (typeof route === 'object') {
        req.resume();
        throw new AwsError(
          'UnknownOperationException',
          `The local stack does not serve the AWS service "${route.unknown}" (it serves s3, sagemaker, events)`,
        );
      }
      await routes[route](req, res, url, requestId);
    };
    handle().catch((error: unknown) => {
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
      else sendJsonError(res, awsError, requestId);
    });
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
  return { server, port: (server.address() as AddressInfo).port };
}
