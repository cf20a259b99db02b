/**
 * Endpoint throughput: InvokeEndpoint through the stack's edge (SigV4-signed raw HTTP, as an SDK sends it)
 * against the same request, signed the same way, sent straight to the endpoint's `serve` process (its port from
 * the stack's endpoint state), at concurrency 1 and 16, from a load generator in its own process, so the ratio
 * is the stack's own cost. Bounded request counts, 127.0.0.1 only. For information: the stack with undici as its
 * client to the container instead of the built-in one, the SDK client through the stack, and a minimal reverse
 * proxy in the stack's process (reference-proxy.ts), the floor of any extra hop.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from '@sagemaker-pipeline/local';
import type { LoadRequest, LoadResult } from './load-client.js';
import { startReferenceProxy } from './reference-proxy.js';
import { median, percentile } from './stats.js';

const client = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-client.js');

export function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(client, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    let result: LoadResult | undefined;
    child.once('message', (message: LoadResult) => {
      result = message;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`load client exited ${code} without a result`)),
    );
    child.send(request);
  });
}

/** The port of the live `serve` process of an endpoint, from the stack's endpoint state. */
export function servePort(stack: Stack, endpointName: string): number {
  const port = stack.sagemaker.endpoints.get(endpointName)?.live?.variants[0]?.port;
  if (!port) throw new Error(`endpoint ${endpointName} has no live variant on the stack`);
  return port;
}

export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** `undici`: through the stack, with undici's Pool as the stack's client to the container (the built-in one for `stack`). */
export const KINDS = ['direct', 'stack', 'undici', 'sdk', 'reference'] as const;
export type Kind = (typeof KINDS)[number];

export interface ThroughputCase {
  /** What the request carries, e.g. `1 row`. */
  payload: string;
  concurrency: number;
  requests: number;
  /** One entry per repetition, per kind of path. */
  runs: Record<Kind, LoadFigures[]>;
}

function figures(result: LoadResult, what: string): LoadFigures {
  if (result.errors > 0) {
    throw new Error(`${what}: ${result.errors} request(s) failed, first: ${result.firstError ?? '?'}`);
  }
  return {
    rps: (result.latenciesMs.length / result.wallMs) * 1000,
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms: percentile(result.latenciesMs, 99),
  };
}

/**
 * The ratio of a path's requests per second to the direct path's, round by round (each round measures them
 * back to back, so they share the machine's load of that moment), and the median of those ratios: the load of
 * other processes drifts over a run by more than the difference being measured.
 */
export function pairedRatio(load: ThroughputCase, kind: Exclude<Kind, 'direct'>): number {
  return median(roundRatios(load, kind));
}

/** Each round's ratio of a path's requests per second to the direct path's in the same round. */
export function roundRatios(load: ThroughputCase, kind: Exclude<Kind, 'direct'>): number[] {
  return load.runs[kind].map((run, round) => run.rps / (load.runs.direct[round]?.rps ?? Number.NaN));
}

/**
 * The latency a path adds to the direct one per call, at a percentile (`p50Ms`, `p99Ms`), in ms: round by round
 * (the two measured back to back share the machine's load), the median of the rounds' differences.
 */
export function addedLatencyMs(
  load: ThroughputCase,
  kind: Exclude<Kind, 'direct'>,
  at: 'p50Ms' | 'p99Ms',
): number {
  return median(load.runs[kind].map((run, round) => run[at] - (load.runs.direct[round]?.[at] ?? Number.NaN)));
}

export const summary = (runs: LoadFigures[]): LoadFigures => ({
  rps: median(runs.map((run) => run.rps)),
  p50Ms: median(runs.map((run) => run.p50Ms)),
  p99Ms: median(runs.map((run) => run.p99Ms)),
});

/**
 * For each payload and concurrency, an unmeasured warm-up round, then `repetitions` rounds of: straight to
 * `serve` and through the stack back to back (which goes first alternates), then the reference proxy and the
 * SDK through the stack (alternating too), each after its own warm-up.
 */
export async function measureThroughput(
  stack: Stack,
  endpointName: string,
  payloads: { name: string; body: string }[],
  cases: { concurrency: number; requests: number }[],
  repetitions: number,
): Promise<ThroughputCase[]> {
  const port = servePort(stack, endpointName);
  const reference = await startReferenceProxy(port);
  const sign = { region: stack.region, service: 'sagemaker' };
  const results: ThroughputCase[] = [];
  try {
    for (const payload of payloads) {
      for (const { concurrency, requests } of cases) {
        const shape = {
          body: payload.body,
          contentType: 'text/csv',
          accept: 'application/json',
          concurrency,
          requests,
          warmup: Math.min(200, requests / 4),
          sign,
        };
        // every path gets the same signed headers (the container ignores them): the client does the same work
        const kinds: Record<Kind, LoadRequest> = {
          direct: { ...shape, mode: 'http', url: `http://127.0.0.1:${port}/invocations` },
          stack: {
            ...shape,
            mode: 'http',
            url: `${stack.endpoint}/endpoints/${encodeURIComponent(endpointName)}/invocations`,
          },
          undici: {
            ...shape,
            mode: 'http',
            url: `${stack.endpoint}/endpoints/${encodeURIComponent(endpointName)}/invocations`,
          },
          sdk: { ...shape, mode: 'sdk', url: stack.endpoint, endpointName },
          reference: { ...shape, mode: 'http', url: reference.url },
        };
        const measured: ThroughputCase = {
          payload: payload.name,
          concurrency,
          requests,
          runs: { direct: [], stack: [], undici: [], sdk: [], reference: [] },
        };
        // One unmeasured round first: every path, the stack's included, runs its first thousands of requests
        // while V8 still optimises it, and in the first measured round that showed as a ratio 0.1-0.2 below
        // the others (bench/RESULTS.md lists each round's ratio).
        const run = async (kind: Kind) => {
          stack.sagemaker.context.invokeClient = kind === 'undici' ? 'undici' : 'built-in';
          try {
            return await load(kinds[kind]);
          } finally {
            stack.sagemaker.context.invokeClient = 'built-in';
          }
        };
        for (const kind of KINDS) figures(await run(kind), `warm-up ${kind}, ${payload.name}`);
        for (let round = 0; round < repetitions; round += 1) {
          const order: Kind[] =
            round % 2 === 0
              ? ['direct', 'stack', 'undici', 'reference', 'sdk']
              : ['undici', 'stack', 'direct', 'sdk', 'reference'];
          for (const kind of order) {
            const result = await run(kind);
            measured.runs[kind].push(figures(result, `${kind}, ${payload.name}, concurrency ${concurrency}`));
          }
        }
        results.push(measured);
      }
    }
  } finally {
    await reference.close();
  }
  return results;
}
