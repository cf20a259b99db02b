// S3 event notification records as real S3 sends them (event version 2.1), including its key encoding.
import { randomBytes } from 'node:crypto';

export interface S3ObjectEvent {
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete` */
  eventName: string;
  bucket: string;
  /** The raw key as stored. */
  key: string;
  size?: number;
  eTag?: string;
  time: Date;
}

/**
 * S3 encodes keys in notifications like an HTML form (Java's URLEncoder): a space becomes `+`, everything outside
 * `A-Z a-z 0-9 . - * _` is percent-encoded, except that `/` stays as is. So `a b+c.csv` arrives as `a+b%2Bc.csv`.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

let lastSequencer = 0n;

/** Sequencers grow for a key over time; hex, upper case, like S3's. */
function nextSequencer(): string {
  const now = BigInt(Date.now()) * 1000n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

export function s3NotificationRecord(
  event: S3ObjectEvent,
  context: { region: string; configurationId: string; sourceIp?: string },
): Record<string, unknown> {
  const object: Record<string, unknown> = { key: encodeS3EventKey(event.key) };
  if (event.eventName.startsWith('ObjectCreated')) {
    object.size = event.size ?? 0;
    object.eTag = event.eTag ?? '';
  }
  object.sequencer = nextSequencer();
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: context.region,
    eventTime: event.time.toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: 'AWS:AIDALOCALSTACKEXAMPLE' },
    requestParameters: { sourceIPAddress: context.sourceIp ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': hex(8),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: context.configurationId,
      bucket: {
        name: event.bucket,
        ownerIdentity: { principalId: 'A3LOCALOWNEREXAMPLE' },
        arn: `arn:aws:s3:::${event.bucket}`,
      },
      object,
    },
  };
}
