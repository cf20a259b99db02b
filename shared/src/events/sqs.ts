import * as v from 'valibot';
import { object, record } from './json.js';

const SqsMsgAttributeSchema = object({
  stringValue: v.optional(v.nullable(v.string())),
  binaryValue: v.optional(v.nullable(v.string())),
  stringListValues: v.optional(v.array(v.string())),
  binaryListValues: v.optional(v.array(v.string())),
  dataType: v.union([v.literal('String'), v.literal('Number'), v.literal('Binary'), v.string()]),
});

/** A record of an SQS batch (Powertools' SqsRecordSchema). */
export const SqsRecordSchema = object({
  messageId: v.string(),
  receiptHandle: v.string(),
  body: v.string(),
  attributes: object({
    ApproximateReceiveCount: v.string(),
    ApproximateFirstReceiveTimestamp: v.string(),
    MessageDeduplicationId: v.optional(v.string()),
    MessageGroupId: v.optional(v.string()),
    SenderId: v.string(),
    SentTimestamp: v.string(),
    SequenceNumber: v.optional(v.string()),
    AWSTraceHeader: v.optional(v.string()),
    DeadLetterQueueSourceArn: v.optional(v.string()),
  }),
  messageAttributes: record(v.string(), SqsMsgAttributeSchema),
  md5OfBody: v.string(),
  md5OfMessageAttributes: v.optional(v.nullable(v.string())),
  eventSource: v.literal('aws:sqs'),
  eventSourceARN: v.string(),
  awsRegion: v.string(),
});

/** An SQS batch as Lambda delivers it (Powertools' SqsSchema). */
export const SqsSchema = object({ Records: v.pipe(v.array(SqsRecordSchema), v.minLength(1)) });
