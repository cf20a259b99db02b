import * as v from 'valibot';
import { jsonObject } from './json.js';

/** An event schema of this library: an object schema with its entries, `detail-type` a literal. */
type EventSchema = v.GenericSchema & { entries: { 'detail-type': v.GenericSchema } };

/**
 * A function triggered by several kinds of event parses them with one schema, chosen by `detail-type`: an
 * event's issues are then those of its own kind (`detail.EndpointName: ...`), not a union's summary, and an
 * unknown or missing `detail-type` is named as such. An event that is no JSON object (an array, a string) is
 * refused as a whole first, as the single-kind schemas refuse it: valibot's variant would look up
 * `detail-type` in an array and name that field instead.
 */
export function oneOfEvents<const O extends readonly [EventSchema, ...EventSchema[]]>(
  options: O,
): v.GenericSchema<unknown, v.InferOutput<O[number]>> {
  // valibot's variant reads each option's `entries` and runs it: the array-refusing object wrappers qualify.
  const byDetailType = v.variant('detail-type', options as unknown as v.VariantOptions<'detail-type'>);
  return v.pipe(jsonObject(), byDetailType as v.GenericSchema<Record<string, unknown>>) as never;
}

/**
 * A function triggered by EventBridge events (its schedule) and by a source whose events are not EventBridge's
 * (SQS) parses each with its own schema: an input with a `detail-type` is an EventBridge event, anything else is
 * the other source's. Issues are then those of the kind the input has the shape of (`Records: ...` for a broken
 * batch, `detail-type: ...` for another EventBridge event), not a union's summary.
 */
export function eventBridgeOr<const E extends v.GenericSchema, const O extends v.GenericSchema>(
  eventBridge: E,
  other: O,
): v.GenericSchema<unknown, v.InferOutput<E> | v.InferOutput<O>> {
  return v.lazy((input) =>
    typeof input === 'object' && input !== null && !Array.isArray(input) && 'detail-type' in input
      ? eventBridge
      : other,
  ) as never;
}
