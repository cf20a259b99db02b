/**
 * One cold start, in a fresh Node process: loads a function bundle as Lambda's Node runtime does (require of
 * the CommonJS handler), runs one invocation with a sample event, and reports on stderr, in one `BENCH {...}`
 * line, when the process booted, how long the load and the invocation took. Exits at once, so keep-alive
 * sockets do not hold it open.
 *
 *   node dist/cold-start.js <bundle.cjs> <event.json> [export=main]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [bundle = '', eventFile = '', exportName = 'main'] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as unknown;
const deadline = Date.now() + 30_000;
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};

const bootMs = performance.now();
const require = createRequire(import.meta.url);
const loaded = require(bundle) as Record<string, unknown>;
const loadMs = performance.now() - bootMs;
const handler = loaded[exportName] as Handler;
const invokeStart = performance.now();
let outcome: string;
try {
  const result = (await handler(event, context)) as { status?: string; error?: string } | undefined;
  outcome = result?.status ?? (result?.error ? `error ${result.error}` : 'ok');
} catch (error) {
  outcome = `threw ${(error as Error).name}`;
}
const invokeMs = performance.now() - invokeStart;
process.stderr.write(`BENCH ${JSON.stringify({ bootMs, loadMs, invokeMs, outcome })}\n`, () =>
  process.exit(0),
);
