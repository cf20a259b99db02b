/**
 * S3 event notifications as SQS delivers them to retrain-model: records of new data, and the records it
 * must ignore (test events, other buckets, keys outside the prefix, folder markers, zero-byte objects).
 */
import { sqsRecord as testSqsRecord } from '@sagemaker-pipeline/testing/events';
import fc, { type Arbitrary } from 'fast-check';
import { isoTime } from './eventbridge.js';
import { otherThan } from './mutations.js';
import {
  BUCKET,
  hexString,
  nastyString,
  QUEUE_ARN,
  REGION,
  TRAINING_PREFIX,
  unicodeString,
} from './values.js';

export function s3EncodeKey(key: string, strict = false): string {
  const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return strict
    ? encoded.replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
}

export const sqsRecord = (messageId: string, body: string): Record<string, unknown> =>
  testSqsRecord(messageId, body, QUEUE_ARN);

interface S3Object {
  bucket: string;
  /** As it travels in the notification (encoded, or raw for keys that are not). */
  key: string;
  size: number;
  eventName: string;
}

const sourceIp = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('s3.amazonaws.com'));

function s3NotificationRecord(object: S3Object, time: string, ip: string, sequencer: string) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: REGION,
    eventTime: time.replace(/Z$/, '.000Z'),
    eventName: object.eventName,
    userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
    requestParameters: { sourceIPAddress: ip },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjsk' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'retrain',
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: { key: object.key, size: object.size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer },
    },
  };
}

const notificationRecord = (object: Arbitrary<S3Object>) =>
  fc
    .tuple(object, isoTime, sourceIp, hexString(18))
    .map(([o, time, ip, sequencer]) => s3NotificationRecord(o, time, ip, sequencer.toUpperCase()));

/** Any key, with every special character S3 allows. */
const keyName = fc.oneof(
  unicodeString(1, 60),
  fc.string({ minLength: 1, maxLength: 60 }),
  fc
    .tuple(unicodeString(1, 4), fc.integer({ min: 64, max: 256 }))
    .map(([chunk, times]) => chunk.repeat(times)),
);
const encodedKey = (decoded: Arbitrary<string>) =>
  fc.tuple(decoded, fc.boolean()).map(([key, strict]) => s3EncodeKey(key, strict));
const size = fc.integer({ min: 1, max: 5 * 1024 ** 3 });
const CREATED = [
  'ObjectCreated:Put',
  'ObjectCreated:Post',
  'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload',
];

export const otherBucket = otherThan(BUCKET, [
  'mlpipe-prod-000000000000-us-east-1',
  'mlpipe-dev-111111111111-us-east-1',
  'mlpipe-dev-000000000000-eu-west-1',
  'mlpipe-dev',
  'training-data',
]);

const OUTSIDE_PREFIXES = [
  '',
  'evaluation-data/',
  'evaluations/',
  'models/',
  'Training-data/',
  'TRAINING-DATA/',
  'training-data',
  'training_data/',
  'training-data-2/',
  'trainingdata/',
  ' training-data/',
  '/training-data/',
  './training-data/',
  'training\u2010data/',
  'ｔraining-data/',
  'training-data\\',
  'training-data%2F',
];

interface IgnoredRecord {
  kind: string;
  record: Arbitrary<Record<string, unknown>>;
}

/** Notification records the handler must ignore, each with why. */
export const IGNORED_RECORDS: IgnoredRecord[] = [
  {
    kind: 'other-bucket',
    record: notificationRecord(
      fc.record({
        bucket: otherBucket,
        key: encodedKey(
          fc.oneof(
            keyName.map((k) => `${TRAINING_PREFIX}${k}`),
            keyName,
          ),
        ),
        size,
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'outside-prefix',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(
          fc
            .tuple(fc.constantFrom(...OUTSIDE_PREFIXES), keyName)
            .map(([prefix, name]) => `${prefix}${name}`)
            .filter((key) => !key.startsWith(TRAINING_PREFIX)),
        ),
        size,
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'folder-marker',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(
          fc.option(keyName).map((name) => (name ? `${TRAINING_PREFIX}${name}/` : TRAINING_PREFIX)),
        ),
        size: fc.oneof(fc.constant(0), size),
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'zero-byte-object',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
        size: fc.constant(0),
        eventName: fc.constantFrom(...CREATED),
      }),
    ),
  },
  {
    kind: 'not-a-creation',
    record: notificationRecord(
      fc.record({
        bucket: fc.constant(BUCKET),
        key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
        size,
        eventName: fc.oneof(
          fc.constantFrom(
            'ObjectRemoved:Delete',
            'ObjectRemoved:DeleteMarkerCreated',
            'ObjectRestore:Post',
            'ObjectRestore:Completed',
            'ObjectTagging:Put',
            'ObjectAcl:Put',
            'LifecycleExpiration:Delete',
            'LifecycleTransition',
            'IntelligentTiering',
            'ReducedRedundancyLostObject',
            'Replication:OperationFailedReplication',
            'objectcreated:put',
            'ObjectCreated',
            'XObjectCreated:Put',
            ' ObjectCreated:Put',
          ),
          nastyString.filter((name) => !name.startsWith('ObjectCreated:')),
        ),
      }),
    ),
  },
];

/** A notification of new training data, valid: only ever used broken. */
export const newDataRecord = notificationRecord(
  fc.record({
    bucket: fc.constant(BUCKET),
    key: encodedKey(keyName.map((name) => `${TRAINING_PREFIX}${name}.csv`)),
    size,
    eventName: fc.constantFrom(...CREATED),
  }),
);

export interface Body {
  kinds: string[];
  body: string;
  verdict: 'bad' | 'ignored';
}

export const notJson = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      '{',
      '}',
      "{'Records': []}",
      'undefined',
      'NaN',
      '{"Records": [}',
      'Records=[]',
      '\u0000',
    ),
    nastyString,
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

/** Paths inside one S3 notification record whose absence or type the schema refuses. */
