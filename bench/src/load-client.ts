/**
 * A load generator in its own process (forked by throughput.ts, so it never shares an event loop with the
 * stack it measures): sends a bounded number of POSTs with a fixed concurrency over keep-alive connections to
 * 127.0.0.1 and reports each request's latency. Modes: `http` (raw HTTP, SigV4-signed when `sign` is set)
 * or `sdk` (the SageMaker Runtime client's InvokeEndpoint).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { signV4 } from './sigv4.js';

export interface LoadRequest {
  mode: 'http' | 'sdk';
  /** `http://127.0.0.1:<port>/<path>`; for `sdk`, the stack's endpoint. */
  url: string;
  endpointName?: string;
  concurrency: number;
  requests: number;
  warmup: number;
  body: string;
  contentType: string;
  accept: string;
  sign?: { region: string; service: string };
}

export interface LoadResult {
  latenciesMs: number[];
  wallMs: number;
  errors: number;
  firstError?: string;
}

type Send = () => Promise<void>;

function httpSender(request: LoadRequest): { send: Send; close(): void } {
  const url = new URL(request.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: request.concurrency });
  const send: Send = () =>
    new Promise((resolve, reject) => {
      const base = {
        'content-type': request.contentType,
        accept: request.accept,
        'content-length': String(Buffer.byteLength(request.body)),
      };
      const headers = request.sign
        ? signV4({
            method: 'POST',
            host: url.host,
            path: url.pathname,
            headers: base,
            body: request.body,
            region: request.sign.region,
            service: request.sign.service,
            accessKeyId: 'test',
            secretAccessKey: 'test',
          })
        : base;
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve()
              : reject(
                  new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`),
                ),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  return { send, close: () => agent.destroy() };
}

async function sdkSender(request: LoadRequest): Promise<{ send: Send; close(): void }> {
  const { InvokeEndpointCommand, SageMakerRuntimeClient } = await import('@aws-sdk/client-sagemaker-runtime');
  const agent = new http.Agent({ keepAlive: true, maxSockets: request.concurrency });
  const client = new SageMakerRuntimeClient({
    endpoint: request.url,
    region: request.sign?.region ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: agent },
    maxAttempts: 1,
  });
  const body = new TextEncoder().encode(request.body);
  const send: Send = async () => {
    const response = await client.send(
      new InvokeEndpointCommand({
        EndpointName: request.endpointName,
        ContentType: request.contentType,
        Accept: request.accept,
        Body: body,
      }),
    );
    if (!response.Body) throw new Error('no body');
  };
  return {
    send,
    close: () => {
      client.destroy();
      agent.destroy();
    },
  };
}

/** Sends `count` requests, `concurrency` at a time; returns each latency. */
async function drive(send: Send, count: number, concurrency: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const t0 = performance.now();
      try {
        await send();
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    latenciesMs,
    wallMs: performance.now() - started,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const sender = request.mode === 'sdk' ? await sdkSender(request) : httpSender(request);
  try {
    await drive(sender.send, request.warmup, request.concurrency);
    return await drive(sender.send, request.requests, request.concurrency);
  } finally {
    sender.close();
  }
}

// Forked: one request in, one result out, over IPC.
if (process.send) {
  process.once('message', (request: LoadRequest) => {
    runLoad(request).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: unknown) => {
        process.send?.({ latenciesMs: [], wallMs: 0, errors: 1, firstError: String(error) }, () =>
          process.exit(1),
        );
      },
    );
  });
}
