/**
 * Mutations of a valid event, each with what the handler must answer: a field missing, mistyped, empty or
 * null, a word out of an enum, a date that is no ISO date, an extra field; and names SageMaker would refuse or
 * that belong to another pipeline.
 */
import { SAGEMAKER_NAME } from '@sagemaker-pipeline/shared/naming';
import fc, { type Arbitrary } from 'fast-check';
import {
  ALNUM,
  deeplyNested,
  type Expected,
  hexString,
  hugeString,
  type JsonType,
  nastyString,
  specialChar,
  unicodeString,
  valueNotOf,
} from './values.js';

export const REMOVE = Symbol('remove');

export interface Mutation {
  kind: string;
  /** `invalid` when it makes the event malformed, `skipped` when it makes it foreign. */
  expected: Expected;
  path: readonly (string | number)[];
  value: unknown;
}

const isContainer = (node: unknown, key: string | number): node is Record<string | number, unknown> =>
  typeof node === 'object' && node !== null && Array.isArray(node) === (typeof key === 'number');

/**
 * Sets (or deletes) the value at `path`. When a parent is missing or not an object, nothing changes: another
 * mutation broke the parent, and the event is already invalid there. Own properties are defined, not assigned,
 * so `__proto__` becomes a key as JSON.parse makes it, not a prototype.
 */
export function applyMutation(target: unknown, mutation: Mutation): void {
  let parent: unknown = target;
  const { path } = mutation;
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index] as string | number;
    if (!isContainer(parent, key)) return;
    parent = parent[key];
  }
  const last = path[path.length - 1] as string | number;
  if (!isContainer(parent, last)) return;
  if (mutation.value === REMOVE) {
    delete parent[last];
  } else {
    Object.defineProperty(parent, last, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

export const pathName = (path: readonly (string | number)[]) => path.map(String).join('.');

export const mutation = (
  kind: string,
  expected: Expected,
  path: readonly (string | number)[],
  value: unknown,
) => ({
  kind,
  expected,
  path,
  value,
});

export const setTo = (
  kind: string,
  expected: Expected,
  path: readonly (string | number)[],
  value: Arbitrary<unknown>,
) => value.map((v): Mutation => mutation(kind, expected, path, v));

export const missing = (path: readonly (string | number)[]): Arbitrary<Mutation> =>
  fc.constant(mutation('missing-field', 'invalid', path, REMOVE));

export const mistyped = (path: readonly (string | number)[], ...accepted: JsonType[]): Arbitrary<Mutation> =>
  setTo('mistyped-field', 'invalid', path, valueNotOf(...accepted));

export const emptyString = (path: readonly (string | number)[]): Arbitrary<Mutation> =>
  fc.constant(mutation('empty-string', 'invalid', path, ''));

/** `null` in one of these required fields: as invalid as a missing one. */
export const nullRequired = (...paths: (readonly (string | number)[])[]): Arbitrary<Mutation> =>
  fc.constantFrom(...paths).map((path) => mutation('null-required-field', 'invalid', path, null));

/** `null` in one of these optional fields, as AWS may send it: read as absent, so no answer changes. */
export const nullOptional = (...paths: (readonly (string | number)[])[]): Arbitrary<Mutation> =>
  fc.constantFrom(...paths).map((path) => mutation('null-optional-field', 'skipped', path, null));

/** A string outside an enum or literal: other words, other case, padding, anything. */
export function otherWord(accepted: readonly string[], likely: readonly string[] = []): Arbitrary<string> {
  const variants = accepted.flatMap((word) => [
    word.toLowerCase(),
    word.toUpperCase(),
    ` ${word}`,
    `${word} `,
    `${word}\u0000`,
    word.replace(/-/g, '\u2010'),
  ]);
  return fc
    .oneof(fc.constantFrom(...variants, ...likely, ''), nastyString)
    .filter((word) => !accepted.includes(word));
}

export const outOfEnum = (
  path: readonly (string | number)[],
  accepted: readonly string[],
  likely: readonly string[] = [],
): Arbitrary<Mutation> => setTo('out-of-enum', 'invalid', path, otherWord(accepted, likely));

/** Strings that are not ISO 8601 date-times in UTC (EventBridge's `time`, S3's `eventTime`). */
export const notIsoDateTime: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'yesterday',
    '2026-11-16',
    '2026-11-16 01:54:34',
    '2026-13-01T00:00:00Z',
    '2026-11-16T25:00:00Z',
    '16/11/2026 01:54',
    '1794794074000',
    'Mon, 16 Nov 2026 01:54:34 GMT',
    '2026-11-16T01:54:34+01:00',
    '２０２６-11-16T01:54:34Z',
  ),
  nastyString.filter((value) => !/^\d{4}-\d{2}-\d{2}T/.test(value)),
);

/** Extra fields an event may carry; keys never collide with `known`, and include `__proto__` and friends. */
export function extraField(
  parent: readonly (string | number)[],
  known: readonly string[],
): Arbitrary<Mutation> {
  const key = fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
      unicodeString(1, 20),
      hugeString,
    )
    .filter((name) => !known.includes(name));
  return fc
    .tuple(
      key,
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constant({ polluted: 'yes' }),
        nastyString,
        deeplyNested(false),
      ),
    )
    .map(([name, value]) => mutation('extra-field', 'skipped', [...parent, name], value));
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/** SageMaker's rule for names of jobs, groups, endpoints: 1-63 letters, digits, hyphens, alphanumeric ends. */
export const isSageMakerName = (name: string): boolean => name.length <= 63 && SAGEMAKER_NAME.test(name);

export const sagemakerName: Arbitrary<string> = fc.stringMatching(SAGEMAKER_NAME).filter(isSageMakerName);

/** A valid SageMaker name that does not start with `ourPrefix`: another pipeline's, or another kind's. */
export function foreignName(ourPrefix: string, near: readonly string[] = []): Arbitrary<string> {
  const otherPipelines = [
    'fraud-detector',
    'mlpipe-prod',
    'mlpipe-devx',
    'mlpipe-de',
    'mlpipe',
    'MLPIPE-DEV',
    'Mlpipe-dev',
    'mlpipe--dev',
    'xmlpipe-dev',
    'team-a',
  ];
  return fc
    .oneof(
      fc
        .tuple(
          fc.constantFrom(...otherPipelines),
          fc.constantFrom('train', 'retrain', 'eval', 'model'),
          hexString(12),
        )
        .map(([pipeline, kind, hash]) => `${pipeline}-${kind}-${hash}`),
      fc
        .tuple(fc.constantFrom(...near, ourPrefix.replace(/-$/, '')), hexString(12))
        .map(([n, h]) => `${n}${h}`),
      sagemakerName,
    )
    .filter((name) => isSageMakerName(name) && !name.startsWith(ourPrefix));
}

/** A name of at most 63 characters that breaks SageMaker's pattern, often behind the pipeline's own prefix. */
export function patternBreakingName(ourPrefix: string): Arbitrary<string> {
  const forbidden = specialChar.filter((char) => !/^[a-zA-Z0-9-]+$/.test(char));
  const alnum = fc.string({ unit: fc.constantFrom(...ALNUM), maxLength: 12 });
  return fc
    .oneof(
      fc
        .tuple(
          fc.constantFrom(ourPrefix, `${ourPrefix}train-`, `${ourPrefix}eval-`, ''),
          alnum,
          forbidden,
          alnum,
        )
        .map((parts) => parts.join('')),
      fc.tuple(fc.constantFrom(`-${ourPrefix}`, '-'), alnum).map((parts) => parts.join('')),
      fc.tuple(fc.constantFrom(ourPrefix, `${ourPrefix}train-`), alnum).map(([p, a]) => `${p}${a}-`),
      fc.constantFrom(ourPrefix, `${ourPrefix}eval-`, `${ourPrefix}train-`),
      unicodeString(1, 63),
    )
    .filter((name) => name.length > 0 && name.length <= 63 && !isSageMakerName(name));
}

/** Longer than SageMaker's 63 characters. */
export function tooLongName(ourPrefix: string): Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(ourPrefix, ''),
        fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 64, maxLength: 300 }),
      )
      .map(([prefix, rest]) => `${prefix}${rest}`),
    hugeString.map((rest) => `${ourPrefix}${rest}`),
  );
}

/** Mutations of a SageMaker name field: missing, mistyped, empty, too long, breaking the pattern. */
export function nameBreakers(path: readonly (string | number)[], ourPrefix: string): Arbitrary<Mutation>[] {
  return [
    missing(path),
    mistyped(path, 'string'),
    emptyString(path),
    setTo('name-too-long', 'invalid', path, tooLongName(ourPrefix)),
    setTo('name-breaks-sagemaker-pattern', 'invalid', path, patternBreakingName(ourPrefix)),
  ];
}

/** A string that is not `ours`: realistic neighbours, lookalikes, anything non-empty. */
export function otherThan(ours: string, near: readonly string[]): Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom(
        ...near,
        ours.toUpperCase(),
        ` ${ours}`,
        `${ours} `,
        `${ours}\u0000`,
        `${ours}\u200b`,
        ours.replace(/-/g, '\u2010'),
        `${ours}/`,
        `team/${ours}`,
      ),
      nastyString,
    )
    .filter((value) => value.length > 0 && value !== ours);
}

// ---------------------------------------------------------------------------------------------------------------
// EventBridge events
