/**
 * Object and record schemas that refuse arrays. Valibot's own take any non-null object (and output a copy),
 * so an array where an object belongs would pass whenever its fields are all optional; zod and Powertools'
 * schemas refuse it. `entries` stays on the object schemas, to extend them as `{ ...Schema.entries }`.
 * Optional fields take `null` as absent (`nullish`): events carry `"FailureReason": null` where there is none.
 */
import * as v from 'valibot';

/** A JSON object: not null, not an array. */
export const jsonObject = () =>
  v.custom<Record<string, unknown>>(
    (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
    (issue) => `must be an object, received ${Array.isArray(issue.input) ? 'an array' : issue.received}`,
  );

export const object = <const E extends v.ObjectEntries>(entries: E) =>
  Object.assign(v.pipe(jsonObject(), v.object(entries)), { entries });

export const looseObject = <const E extends v.ObjectEntries>(entries: E) =>
  Object.assign(v.pipe(jsonObject(), v.looseObject(entries)), { entries });

export const record = <const K extends v.GenericSchema<string, string>, const V extends v.GenericSchema>(
  key: K,
  value: V,
) => v.pipe(jsonObject(), v.record(key, value));

/**
 * An optional field that may also be `null`. Both come out as `undefined`, so a stage checks one kind of absence;
 * any other value is checked by `schema`, and its issues name the field as before.
 */
export const nullish = <const S extends v.GenericSchema>(schema: S) =>
  v.pipe(
    v.nullish(schema),
    v.transform((value) => value ?? undefined),
  );
