import * as v from 'valibot';
import { utcTimestamp } from './eventbridge.js';
import { looseObject, object } from './json.js';
import { type SqsRecordSchema, SqsSchema } from './sqs.js';

const S3Identity = object({ principalId: v.string() });

/** An S3 notification record (Powertools' S3 record schema). */
const S3RecordSchema = object({
  eventVersion: v.string(),
  eventSource: v.literal('aws:s3'),
  awsRegion: v.string(),
  eventTime: utcTimestamp(),
  eventName: v.string(),
  userIdentity: S3Identity,
  requestParameters: object({
    sourceIPAddress: v.union([v.pipe(v.string(), v.ipv4()), v.literal('s3.amazonaws.com')]),
  }),
  responseElements: object({ 'x-amz-request-id': v.string(), 'x-amz-id-2': v.string() }),
  s3: object({
    s3SchemaVersion: v.string(),
    configurationId: v.string(),
    object: object({
      key: v.string(),
      size: v.optional(v.number()),
      urlDecodedKey: v.optional(v.string()),
      eTag: v.optional(v.string()),
      sequencer: v.optional(v.string()),
      versionId: v.optional(v.string()),
    }),
    bucket: object({ name: v.string(), ownerIdentity: S3Identity, arn: v.string() }),
  }),
  glacierEventData: v.optional(
    object({
      restoreEventData: object({
        lifecycleRestorationExpiryTime: v.string(),
        lifecycleRestoreStorageClass: v.string(),
      }),
    }),
  ),
});

/** The message S3 sends once when a notification configuration is saved. */
export const S3TestEventSchema = looseObject({
  Service: v.literal('Amazon S3'),
  Event: v.literal('s3:TestEvent'),
  Bucket: v.string(),
  Time: v.optional(v.string()),
  RequestId: v.optional(v.string()),
  HostId: v.optional(v.string()),
});
export type S3TestEvent = v.InferOutput<typeof S3TestEventSchema>;

/**
 * An S3 notification record. Powertools' schema accepts only IPv4 source addresses; S3 also reports IPv6
 * clients, and refusing those would drop their uploads from retraining.
 */
export const S3NotificationRecordSchema = object({
  ...S3RecordSchema.entries,
  requestParameters: looseObject({ sourceIPAddress: v.string() }),
});
export type S3NotificationRecord = v.InferOutput<typeof S3NotificationRecordSchema>;

/** An S3 notification delivered to Lambda directly. */
export const S3NotificationEventSchema = object({
  Records: v.pipe(v.array(S3NotificationRecordSchema), v.minLength(1)),
});
export type S3NotificationEvent = v.InferOutput<typeof S3NotificationEventSchema>;

/**
 * An SQS batch of S3 notifications. Bodies are kept as strings here: one bad message must fail alone
 * (partial batch response), not the whole batch, so each body is parsed with `parseS3QueueMessage`.
 */
export const S3SqsEventSchema = SqsSchema;
export type S3SqsEvent = v.InferOutput<typeof S3SqsEventSchema>;
export type SqsRecord = v.InferOutput<typeof SqsRecordSchema>;

export type S3QueueMessage =
  | { type: 'notification'; event: S3NotificationEvent }
  | { type: 'test'; event: S3TestEvent };

/** Parses one SQS body as an S3 notification or test event; throws a ValiError naming the field. */
export function parseS3QueueMessage(body: string): S3QueueMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('SQS message body is not JSON');
  }
  const test = v.safeParse(S3TestEventSchema, json);
  if (test.success) return { type: 'test', event: test.output };
  return { type: 'notification', event: v.parse(S3NotificationEventSchema, json) };
}

/** S3 URL-encodes keys in notifications like a form: `+` is a space, `%2B` a plus, unicode as UTF-8 escapes. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
