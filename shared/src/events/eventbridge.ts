import * as v from 'valibot';
import { SAGEMAKER_NAME, SAGEMAKER_NAME_MAX } from '../naming.js';
import { nullish, object, record } from './json.js';

/** A timestamp as AWS writes them in events (Powertools' `z.iso.datetime()`): UTC with `Z`, fields in range. */
const UTC_TIMESTAMP =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;

export const utcTimestamp = () =>
  v.pipe(
    v.string(),
    v.regex(UTC_TIMESTAMP, 'must be an ISO 8601 UTC timestamp such as 2026-11-16T01:54:34Z'),
  );

/** An EventBridge event (Powertools' EventBridgeSchema). */
export const EventBridgeSchema = object({
  version: v.string(),
  id: v.string(),
  source: v.string(),
  account: v.string(),
  time: utcTimestamp(),
  region: v.string(),
  resources: v.array(v.string()),
  'detail-type': v.string(),
  detail: v.unknown(),
  'replay-name': nullish(v.string()),
});

/**
 * A job name as SageMaker accepts it. A name that breaks the pattern is in no SageMaker event: it is refused
 * before any AWS call, and never reaches a Describe*, an S3 path or a derived name.
 */
export const sagemakerJobName = () =>
  v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(SAGEMAKER_NAME_MAX),
    v.regex(
      SAGEMAKER_NAME,
      'must be a SageMaker name: letters, digits and hyphens, starting and ending alphanumeric',
    ),
  );

/** SageMaker puts epoch milliseconds in its events where the API has timestamps. */
export const timestamp = () => v.union([v.number(), v.string()]);
/** In events, SageMaker sends tags as a map, not as the API's [{Key, Value}] list. */
export const tagMap = () => record(v.string(), v.string());
