/**
 * Building blocks of the generated events: the pipeline of the suites, strings that break parsers and
 * loggers (special, unicode, huge, nasty), values of the wrong JSON type, and what a generated case promises.
 */
import fc, { type Arbitrary } from 'fast-check';

export const PIPELINE = 'mlpipe-dev';
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const BUCKET = `${PIPELINE}-${ACCOUNT}-${REGION}`;
export const TRAINING_PREFIX = 'training-data/';
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${PIPELINE}-retrain`;
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${PIPELINE}`;

export type Expected = 'invalid' | 'skipped';

/** One generated event and what the handler must answer. */
export interface BadEvent {
  /** What was broken, for the figures: every mutation's kind, and the kinds of strings the event contains. */
  kinds: string[];
  event: unknown;
  expected: Expected;
  /** For `invalid`: paths as the middleware prints them (`detail.TrainingJobName`); the error names one of them. */
  fields: string[];
}

/** An SQS batch whose envelope is valid: the records SQS must get back, and the ones ignored with a reason. */
export interface BatchCase extends BadEvent {
  bad: string[];
  ignored: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

const HEX = [...'0123456789abcdef'];
export const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const ASCII_SPECIAL = [...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const UNICODE_SPECIAL = [
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffd',
  'é',
  'e\u0301',
  'ß',
  'İ',
  'ı',
  'Ω',
  '漢',
  'ع',
  '🚀',
  '👩‍👩‍👧',
  '\u2010',
  '\uff0d',
  '／',
  '％',
];
const NASTY = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '..\\..\\windows\\system32',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, meant literally
  '${jndi:ldap://example.com/a}',
  '{{7*7}}',
  "'; DROP TABLE jobs; --",
  '<script>alert(1)</script>',
  '%00',
  '%s%s%s%n',
  `${PIPELINE}\u0000`,
  'arn:aws:iam::000000000000:role/admin',
];

export const hexString = (length: number) =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length });

/** One character of any kind: ASCII punctuation, control and invisible characters, combining marks, emoji. */
export const specialChar: Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ASCII_SPECIAL),
  fc.constantFrom(...UNICODE_SPECIAL),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

export const unicodeString = (minLength = 0, maxLength = 40): Arbitrary<string> =>
  fc.string({ unit: fc.oneof(specialChar, fc.constantFrom(...ALNUM)), minLength, maxLength });

/** 4 KiB to half a MiB: a chunk of anything, repeated. */
export const hugeString: Arbitrary<string> = fc
  .tuple(unicodeString(1, 4), fc.integer({ min: 4_096, max: 65_536 }))
  .map(([chunk, times]) => chunk.repeat(times));

export const nastyString: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: unicodeString() },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string() },
);

/** The kinds of strings an event contains (keys and values), and whether it nests deep, for the figures. */
export function stringKinds(value: unknown): string[] {
  const kinds = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (node.length >= 4_096) kinds.add('huge-string');
      if (/[^\x20-\x7e]/.test(node)) kinds.add('unicode-string');
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > 32) {
      kinds.add('deeply-nested');
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      visit(key, depth + 1);
      visit(child, depth + 1);
    }
  };
  visit(value, 0);
  return [...kinds];
}

// ---------------------------------------------------------------------------------------------------------------
// Values of the wrong type, non-objects

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** Arrays or objects nested 500 to 2,000 levels deep: JSON.parse takes them, recursive code may not. */
export const deeplyNested = (arrays: boolean): Arbitrary<unknown> =>
  fc.integer({ min: 500, max: 2_000 }).map((depth) => {
    let node: unknown = arrays ? [] : {};
    for (let level = 0; level < depth; level++) node = arrays ? [node] : { x: node };
    return node;
  });

const OF_TYPE: Record<JsonType, Arbitrary<unknown>> = {
  string: nastyString,
  number: fc.oneof(fc.integer(), fc.double()),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.oneof(
    { weight: 9, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
    { weight: 1, arbitrary: deeplyNested(true) },
  ),
  object: fc.oneof(
    {
      weight: 9,
      arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { weight: 1, arbitrary: deeplyNested(false) },
  ),
};

/** A value of none of the `accepted` JSON types (never undefined, which an optional field would accept). */
export function valueNotOf(...accepted: JsonType[]): Arbitrary<unknown> {
  const others = (Object.keys(OF_TYPE) as JsonType[]).filter((type) => !accepted.includes(type));
  return fc.oneof(...others.map((type) => OF_TYPE[type]));
}

/** Events that are not objects at all: what a manual invocation or a broken integration may send. */
export const nonObject: Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  nastyString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations

/** Deletes the property instead of setting it. */
