/**
 * Runs generated bad events through a wired handler and checks each answer: the expected status (`invalid`
 * naming a broken field, or `skipped` with a reason), no AWS call at all (so no write), no crash. The tally
 * becomes the suite's figures.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Stage } from '@sagemaker-pipeline/testing/env';
import type { Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { BadEvent, BatchCase } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';

/** The defects of every EventBridge event the generators make (see src/arbitraries). */
export const EVENT_DEFECTS = [
  'array-event',
  'bad-datetime',
  'detail-not-object',
  'empty-string',
  'deeply-nested',
  'extra-field',
  'foreign-detail',
  'huge-string',
  'json-string-event',
  'missing-field',
  'mistyped-field',
  'non-object-event',
  'null-optional-field',
  'null-required-field',
  'other-detail-type',
  'other-event',
  'other-source',
  'unicode-string',
];
/** And those of a SageMaker state change. */
export const SAGEMAKER_EVENT_DEFECTS = [...EVENT_DEFECTS, 'other-kind-detail-type', 'out-of-enum'];

/** Commands that change something in AWS. */
export const WRITE_COMMAND = /^(Create|Update|Delete|Put|Add|Stop)/;

/** Events per function; each is one invocation of the wired handler. */
export const RUNS = 1_000;

/** A fixed seed, so the figures are reproducible; BAD_INPUT_SEED=<n> explores another part of the space. */
export const SEED = process.env.BAD_INPUT_SEED ? Number(process.env.BAD_INPUT_SEED) : 20_261_116;

/** The seed of one function's suite: fixed, and another for each function, as their generators look alike. */
export function seedFor(functionName: string): number {
  let hash = 0;
  for (const char of functionName) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 1_000_003;
  return SEED + hash;
}

// biome-ignore lint/suspicious/noExplicitAny: any client's mock
type AnyStub = AwsStub<any, any, any>;
type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface Tally {
  /** Events given to the handler. */
  tried: number;
  invalid: number;
  skipped: number;
  /** AWS commands sent whose name starts with Create, Update, Delete, Put, Add or Stop. */
  writes: number;
  /** AWS commands of any kind. */
  awsCalls: number;
  /** The handler threw, or answered without a status. */
  crashes: number;
  /** SQS: records in the batches, those reported back to SQS (batchItemFailures), those ignored. */
  records?: number;
  recordsReported?: number;
  recordsIgnored?: number;
  /** How many events had each kind of defect. */
  kinds: Record<string, number>;
}

export function newTally(sqs = false): Tally {
  return {
    tried: 0,
    invalid: 0,
    skipped: 0,
    writes: 0,
    awsCalls: 0,
    crashes: 0,
    ...(sqs ? { records: 0, recordsReported: 0, recordsIgnored: 0 } : {}),
    kinds: {},
  };
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/16/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The names of the commands the mocks received since their history was last reset. */
export function sentCommands(mocks: readonly AnyStub[]): string[] {
  return mocks.flatMap((mock) =>
    mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, '')),
  );
}

/** True when a path the middleware printed is, contains or lies under one of the broken fields. */
function names(path: string, fields: readonly string[]): boolean {
  return fields.some(
    (field) => path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`),
  );
}

const isBatch = (bad: BadEvent): bad is BatchCase => 'bad' in bad;

interface Result {
  status?: unknown;
  error?: unknown;
  reason?: unknown;
  issues?: { path: string; message: string }[];
  objects?: unknown;
  batchItemFailures?: unknown;
  rejected?: { messageId: string }[];
}

/**
 * Gives `bad` to the handler and checks the answer; throws (failing the property, which prints the seed and
 * the shrunk event) on a crash, a write, an AWS call or an unexpected status.
 */
export async function check(
  main: Handler,
  functionName: string,
  mocks: readonly AnyStub[],
  bad: BadEvent,
  tally: Tally,
): Promise<void> {
  for (const mock of mocks) mock.resetHistory();
  tally.tried++;
  for (const kind of bad.kinds) tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;

  let result: Result;
  try {
    result = (await main(bad.event, lambdaContext(functionName))) as Result;
  } catch (error) {
    tally.crashes++;
    throw new Error(`crash: the handler threw ${String(error)}\n\nevent: ${preview(bad.event)}`, {
      cause: error,
    });
  }
  const commands = sentCommands(mocks);
  const writes = commands.filter((name) => WRITE_COMMAND.test(name));
  tally.awsCalls += commands.length;
  tally.writes += writes.length;
  if (typeof result?.status !== 'string') {
    tally.crashes++;
    throw new Error(
      `crash: the handler answered ${preview(result)}, without a status\n\nevent: ${preview(bad.event)}`,
    );
  }
  if (result.status === 'invalid') tally.invalid++;
  if (result.status === 'skipped') tally.skipped++;
  try {
    assertAnswer(bad, result, writes, commands, tally);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n\nevent: ${preview(bad.event)}\nexpected: ${bad.expected} ${JSON.stringify(bad.fields)} (${bad.kinds.join(', ')})\nresult: ${preview(result)}`,
      { cause: error },
    );
  }
}

/** JSON of a value, long strings cut, for failure messages. */
function preview(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}... (${v.length} characters)` : v,
  );
  return text === undefined ? String(value) : text.slice(0, 4_000);
}

function assertAnswer(
  bad: BadEvent,
  result: Result,
  writes: string[],
  commands: string[],
  tally: Tally,
): void {
  expect({ writes, commands }).toEqual({ writes: [], commands: [] });
  // A prototype polluted through a `__proto__` key would show on every object.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(result.status).toBe(bad.expected);

  if (bad.expected === 'invalid') {
    expect(result.error).toEqual(expect.stringMatching(/^Invalid event: /));
    const paths = (result.issues ?? []).map((issue) => issue.path);
    if (!paths.some((path) => names(path, bad.fields))) {
      throw new Error(
        `the error names none of the broken fields ${JSON.stringify(bad.fields)}: ${String(result.error).slice(0, 500)}`,
      );
    }
    return;
  }

  expect(result.reason).toEqual(expect.stringMatching(/\S/));
  if (isBatch(bad) && tally.records !== undefined) {
    tally.records += bad.bad.length + bad.ignored.length;
    tally.recordsReported = (tally.recordsReported ?? 0) + bad.bad.length;
    tally.recordsIgnored = (tally.recordsIgnored ?? 0) + bad.ignored.length;
    // Lambda's partial batch response: exactly the records that are no S3 message go back to SQS (then to the
    // dead-letter queue); the ignored ones are acknowledged.
    expect(result.objects).toBe(0);
    expect(result.batchItemFailures).toEqual(bad.bad.map((itemIdentifier) => ({ itemIdentifier })));
    expect((result.rejected ?? []).map((r) => r.messageId)).toEqual(bad.bad);
  }
}

export interface BadInputSpec {
  stage: Stage;
  /** The wired handler, imported once the stage environment and the mocks are in place. */
  main: Handler;
  /** The mocked clients: every command any of them receives is counted. */
  mocks: readonly AnyStub[];
  /**
   * A valid event, which the mocks answer so that it writes: proof that an event let through would show as
   * a write. `commands` are those it sends, sorted when `sorted`.
   */
  control: {
    title: string;
    /** Where the valid event comes from (one sample, for the suite's seed)... */
    event: fc.Arbitrary<unknown>;
    /** ...with these fields of its detail set (a job status that makes the stage act). */
    detail?: Record<string, unknown>;
    result: Record<string, unknown>;
    commands: string[];
    sorted?: boolean;
  };
  /** The generated bad events, and what the suite does with them (the test's title: `… ${RUNS} …`). */
  cases: fc.Arbitrary<BadEvent>;
  verb?: string;
  /** An SQS batch handler: records are tallied. */
  sqs?: boolean;
  /** Every kind of defect the generated events must have tried. */
  kinds: string[];
}

/**
 * One function's bad-input suite: the control, then ${RUNS} generated bad events, each refused or skipped with
 * no AWS call and no crash, and every kind of defect tried; the tally becomes its figures. Gives the tally for
 * the suite's own tests.
 */
export function describeBadInput(spec: BadInputSpec): Tally {
  const { stage, main, mocks } = spec;
  const tally = newTally(spec.sqs);
  const seed = seedFor(stage);

  describe(`Function: ${stage}, bad input`, () => {
    afterAll(() => {
      recordFigures(`bad-input-${stage}`, { perFunction: { [stage]: tally } });
    });

    it(spec.control.title, async () => {
      const event = fc.sample(spec.control.event, { numRuns: 1, seed })[0] as { detail?: object };
      if (spec.control.detail) Object.assign(event.detail ?? {}, spec.control.detail);
      for (const mock of mocks) mock.resetHistory();

      const result = await main(event, lambdaContext(stage));

      expect(result).toMatchObject(spec.control.result);
      const commands = sentCommands(mocks);
      expect(spec.control.sorted ? commands.sort() : commands).toEqual(spec.control.commands);
    });

    it(`${spec.verb ?? 'refuses or skips'} ${RUNS} malformed or foreign events without any AWS call or crash`, async () => {
      await fc.assert(
        fc.asyncProperty(spec.cases, (bad) => check(main, stage, mocks, bad, tally)),
        { numRuns: RUNS, seed },
      );

      expect(tally).toMatchObject({ writes: 0, crashes: 0 });
      expect(tally.tried).toBeGreaterThanOrEqual(500);
      expect(tally.invalid + tally.skipped).toBe(tally.tried);
    });

    it('tried every kind of defect', () => {
      expect(Object.keys(tally.kinds).sort()).toEqual(expect.arrayContaining(spec.kinds));
    });
  });
  return tally;
}
