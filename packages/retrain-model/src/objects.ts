import { parseS3Uri } from '@sagemaker-pipeline/shared/contracts';
import {
  decodeS3Key,
  parseS3QueueMessage,
  type S3NotificationRecord,
  type SqsRecord,
} from '@sagemaker-pipeline/shared/events';
import { validationIssues } from '@sagemaker-pipeline/shared/middleware';

/** Where new training data lands: the bucket, and the key prefix with its trailing slash ('' for the root). */
export interface TrainingDataLocation {
  bucket: string;
  prefix: string;
}

export function trainingDataLocation(uri: string): TrainingDataLocation {
  const { bucket, key } = parseS3Uri(uri);
  const path = key.replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: path ? `${path}/` : '' };
}

/** One new object, its key decoded. */
export interface NewObject {
  messageId: string;
  bucket: string;
  key: string;
  size: number | undefined;
  eventTime: string;
  /** Tells two notifications of the same write (S3 delivers at least once) from two writes of the key. */
  sequencer: string | undefined;
}

export type RecordVerdict =
  | { kind: 'objects'; messageId: string; objects: NewObject[] }
  | { kind: 'ignored'; messageId: string; reason: string }
  | { kind: 'bad'; messageId: string; error: string };

/** Why one notification record is not new training data, or undefined when it is. */
function ignoredBecause(record: S3NotificationRecord, key: string, location: TrainingDataLocation) {
  const { bucket, object } = record.s3;
  if (!record.eventName.startsWith('ObjectCreated:')) return `${record.eventName} is not an object creation`;
  if (bucket.name !== location.bucket) return `bucket ${bucket.name} is not the pipeline bucket`;
  if (!key.startsWith(location.prefix)) return `${key} is outside ${location.prefix}`;
  if (key.endsWith('/')) return `${key} is a folder marker`;
  if (object.size === 0) return `${key} is empty (0 bytes)`;
  return undefined;
}

/** Classifies one SQS record: new objects, ignored (with the reasons) or bad (a body that is no S3 message). */
export function classifyRecord(record: SqsRecord, location: TrainingDataLocation): RecordVerdict {
  const { messageId } = record;
  let message: ReturnType<typeof parseS3QueueMessage>;
  try {
    message = parseS3QueueMessage(record.body);
  } catch (error) {
    const issues = validationIssues(error).map((issue) => `${issue.path}: ${issue.message}`);
    return { kind: 'bad', messageId, error: `not an S3 notification (${issues.join('; ')})` };
  }
  if (message.type === 'test') {
    return { kind: 'ignored', messageId, reason: `s3:TestEvent for bucket ${message.event.Bucket}` };
  }

  const objects: NewObject[] = [];
  const reasons: string[] = [];
  for (const record of message.event.Records) {
    let key: string;
    try {
      key = decodeS3Key(record.s3.object.key);
    } catch {
      return {
        kind: 'bad',
        messageId,
        error: `key ${record.s3.object.key} is not URL-encoded as S3 encodes keys`,
      };
    }
    const reason = ignoredBecause(record, key, location);
    if (reason) {
      reasons.push(reason);
      continue;
    }
    objects.push({
      messageId,
      bucket: record.s3.bucket.name,
      key,
      size: record.s3.object.size,
      eventTime: record.eventTime,
      sequencer: record.s3.object.sequencer,
    });
  }
  return objects.length
    ? { kind: 'objects', messageId, objects }
    : { kind: 'ignored', messageId, reason: reasons.join('; ') };
}

/** The most recently written object: latest event time, then the greatest key, so the choice is stable. */
export function newestObject(objects: readonly NewObject[]): NewObject | undefined {
  let newest: NewObject | undefined;
  for (const object of objects) {
    if (!newest) {
      newest = object;
      continue;
    }
    const difference = Date.parse(object.eventTime) - Date.parse(newest.eventTime);
    if (difference > 0 || (difference === 0 && object.key > newest.key)) newest = object;
  }
  return newest;
}

/** Distinct objects: a notification S3 delivered twice counts once. */
export function distinctObjects(objects: readonly NewObject[]): NewObject[] {
  const seen = new Map<string, NewObject>();
  for (const object of objects) {
    const id = JSON.stringify([object.bucket, object.key, object.sequencer ?? null]);
    if (!seen.has(id)) seen.set(id, object);
  }
  return [...seen.values()];
}
