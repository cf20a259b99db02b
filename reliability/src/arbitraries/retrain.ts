/**
 * The bad SQS batches of retrain-model: bodies that are no S3 message, broken S3 records and broken SQS
 * envelopes, mixed with records it must ignore; and a batch of new data it acts on.
 */
import fc, { type Arbitrary } from 'fast-check';
import {
  ENVELOPE_FIELDS,
  type Envelope,
  ecrImageAction,
  isoTime,
  modelPackageStateChange,
  otherServiceEvent,
  processingJobStateChange,
  trainingJobStateChange,
} from './eventbridge.js';
import {
  applyMutation,
  type Mutation,
  missing,
  mistyped,
  notIsoDateTime,
  outOfEnum,
  pathName,
  setTo,
} from './mutations.js';
import {
  type Body,
  IGNORED_RECORDS,
  newDataRecord,
  notJson,
  otherBucket,
  sqsRecord,
} from './s3-notifications.js';
import {
  ACCOUNT,
  type BadEvent,
  type BatchCase,
  BUCKET,
  deeplyNested,
  nonObject,
  REGION,
  stringKinds,
  TRAINING_PREFIX,
  valueNotOf,
} from './values.js';

const S3_RECORD_BREAKERS: Arbitrary<Mutation>[] = [
  fc
    .constantFrom(
      ['eventVersion'],
      ['eventSource'],
      ['awsRegion'],
      ['eventTime'],
      ['eventName'],
      ['userIdentity'],
      ['requestParameters'],
      ['requestParameters', 'sourceIPAddress'],
      ['responseElements'],
      ['s3'],
      ['s3', 's3SchemaVersion'],
      ['s3', 'configurationId'],
      ['s3', 'bucket'],
      ['s3', 'bucket', 'name'],
      ['s3', 'bucket', 'arn'],
      ['s3', 'bucket', 'ownerIdentity'],
      ['s3', 'object'],
      ['s3', 'object', 'key'],
    )
    .chain((path) => missing(path)),
  fc
    .constantFrom(
      ['eventName'],
      ['awsRegion'],
      ['s3', 'bucket', 'name'],
      ['s3', 'object', 'key'],
      ['s3', 'object', 'eTag'],
    )
    .chain((path) => mistyped(path, 'string')),
  mistyped(['s3', 'object', 'size'], 'number'),
  setTo('bad-datetime', 'invalid', ['eventTime'], notIsoDateTime),
  outOfEnum(['eventSource'], ['aws:s3'], ['aws:sqs', 'aws.s3', 'aws:sns']),
];

const BODIES: Arbitrary<Body>[] = [
  // S3 sends one when the notification configuration is saved.
  fc.tuple(fc.oneof(fc.constant(BUCKET), otherBucket), isoTime).map(
    ([bucket, time]): Body => ({
      kinds: ['s3-test-event'],
      body: JSON.stringify({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: time,
        Bucket: bucket,
        RequestId: 'R',
        HostId: 'H',
      }),
      verdict: 'ignored',
    }),
  ),
  // Notifications of objects that are not new training data: one or several per message.
  fc
    .array(fc.oneof(...IGNORED_RECORDS.map(({ kind, record }) => record.map((r) => ({ kind, r })))), {
      minLength: 1,
      maxLength: 4,
    })
    .map(
      (records): Body => ({
        kinds: records.map(({ kind }) => kind),
        body: JSON.stringify({ Records: records.map(({ r }) => r) }),
        verdict: 'ignored',
      }),
    ),
  notJson.map((body): Body => ({ kinds: ['body-not-json'], body, verdict: 'bad' })),
  // JSON, but no S3 message: anything, other envelopes around a notification, S3 events via EventBridge.
  fc
    .oneof(
      fc.jsonValue({ maxDepth: 3 }),
      deeplyNested(true),
      deeplyNested(false).map((nested) => ({ Records: [nested] })),
      fc.constantFrom(
        { Records: [] },
        { Records: [{}] },
        { Records: null },
        { Service: 'Amazon S3', Event: 's3:TestEvent' },
        { Service: 'Amazon SQS', Event: 's3:TestEvent', Bucket: BUCKET },
        { Event: 's3:TestEvent', Bucket: BUCKET },
      ),
      newDataRecord.map((record) => ({
        Type: 'Notification',
        TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:uploads`,
        Message: JSON.stringify({ Records: [record] }),
      })),
      newDataRecord.map((record) => JSON.stringify({ Records: [record] })),
      newDataRecord.map((record) => [record]),
      newDataRecord.map((record) => ({ Records: record })),
      otherServiceEvent,
    )
    .map(
      (json): Body => ({
        kinds: ['body-not-s3', ...stringKinds(json)],
        body: JSON.stringify(json) ?? 'undefined',
        verdict: 'bad',
      }),
    ),
  // A would-be notification of new data with a field missing or mistyped.
  fc.tuple(newDataRecord, fc.oneof(...S3_RECORD_BREAKERS)).map(([record, breaker]): Body => {
    const broken = structuredClone(record);
    applyMutation(broken, breaker);
    return { kinds: ['malformed-s3-record'], body: JSON.stringify({ Records: [broken] }), verdict: 'bad' };
  }),
  // A key S3 would have encoded: a raw `%` that is no escape, an invalid UTF-8 sequence.
  fc
    .tuple(
      newDataRecord,
      fc.constantFrom('100%.csv', '%', '%zz.csv', '%E0%A4%A.csv', '%C3.csv', '%ED%A0%80.csv', 'a%2', '%%25'),
      fc.array(fc.oneof(...IGNORED_RECORDS.map(({ record }) => record)), { maxLength: 2 }),
    )
    .map(([record, raw, others]): Body => {
      const broken = structuredClone(record) as { s3: { object: { key: string } } };
      broken.s3.object.key = `${TRAINING_PREFIX}${raw}`;
      return {
        kinds: ['undecodable-key'],
        body: JSON.stringify({ Records: [...others, broken] }),
        verdict: 'bad',
      };
    }),
];

/** Mutations of the SQS envelope of a batch of `length` records. */
function sqsEnvelopeBreakers(length: number): Arbitrary<Mutation>[] {
  const index = fc.nat({ max: length - 1 });
  const at = (arb: (i: number) => Arbitrary<Mutation>) => index.chain(arb);
  const FIELDS = [
    'messageId',
    'receiptHandle',
    'body',
    'attributes',
    'messageAttributes',
    'md5OfBody',
    'eventSource',
    'eventSourceARN',
    'awsRegion',
  ];
  const ATTRIBUTES = [
    'ApproximateReceiveCount',
    'ApproximateFirstReceiveTimestamp',
    'SenderId',
    'SentTimestamp',
  ];
  return [
    at((i) => fc.constantFrom(...FIELDS).chain((field) => missing(['Records', i, field]))),
    at((i) =>
      fc
        .constantFrom('messageId', 'receiptHandle', 'body', 'md5OfBody', 'eventSourceARN', 'awsRegion')
        .chain((field) => mistyped(['Records', i, field], 'string')),
    ),
    at((i) => fc.constantFrom(...ATTRIBUTES).chain((field) => missing(['Records', i, 'attributes', field]))),
    at((i) =>
      fc
        .constantFrom(...ATTRIBUTES)
        .chain((field) => mistyped(['Records', i, 'attributes', field], 'string')),
    ),
    at((i) => mistyped(['Records', i, 'attributes'], 'object')),
    at((i) => mistyped(['Records', i, 'messageAttributes'], 'object')),
    at((i) =>
      setTo(
        'mistyped-field',
        'invalid',
        ['Records', i, 'messageAttributes', 'origin'],
        fc.oneof(valueNotOf('object'), fc.constant({ stringValue: 'x' })),
      ),
    ),
    at((i) =>
      outOfEnum(['Records', i, 'eventSource'], ['aws:sqs'], ['aws:s3', 'aws:sns', 'aws:kinesis', 'aws.sqs']),
    ),
    at((i) => mistyped(['Records', i], 'object')),
  ];
}

/** Every case of retrain-model: batches of ignored and bad messages, broken envelopes, other events. */
export const retrainModelCases: Arbitrary<BadEvent | BatchCase> = (() => {
  const batch = fc
    .tuple(fc.array(fc.oneof(...BODIES), { minLength: 1, maxLength: 25 }), fc.uuid())
    .map(([bodies, batchId]) => {
      const records = bodies.map((body, i) => ({
        ...body,
        messageId: `${batchId.slice(0, 28)}${String(i).padStart(8, '0')}`,
      }));
      return {
        event: { Records: records.map(({ messageId, body }) => sqsRecord(messageId, body)) },
        records,
      };
    });

  const batches = batch.map(
    ({ event, records }): BatchCase => ({
      kinds: [...new Set(records.flatMap((r) => r.kinds)), ...stringKinds(event)],
      event,
      expected: 'skipped',
      fields: [],
      bad: records.filter((r) => r.verdict === 'bad').map((r) => r.messageId),
      ignored: records.filter((r) => r.verdict === 'ignored').map((r) => r.messageId),
    }),
  );

  const brokenEnvelopes = batch.chain(({ event }) =>
    fc
      .array(fc.oneof(...sqsEnvelopeBreakers(event.Records.length)), { minLength: 1, maxLength: 3 })
      .map((mutations): BadEvent => {
        const broken = structuredClone(event);
        for (const m of mutations) applyMutation(broken, m);
        return {
          kinds: [...new Set([...mutations.map((m) => m.kind), ...stringKinds(broken)])],
          event: broken,
          expected: 'invalid',
          fields: mutations.map((m) => pathName(m.path)),
        };
      }),
  );

  const noRecords = fc
    .oneof(
      fc.constant({}),
      fc.constant({ Records: [] }),
      valueNotOf('array').map((Records) => ({ Records })),
      fc.array(valueNotOf('object'), { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
    )
    .map((event): BadEvent => ({ kinds: ['no-records'], event, expected: 'invalid', fields: ['Records'] }));

  const notObjects = nonObject.map(
    (event): BadEvent => ({
      kinds: ['non-object-event'],
      event,
      expected: 'invalid',
      fields: ['(event)', 'Records'],
    }),
  );

  // The function also runs on its schedule: a valid `Scheduled Event` is no bad input. Another EventBridge event
  // is parsed as one (it has a detail-type), so the error names its envelope; anything else is parsed as a batch.
  const otherEvents = fc
    .oneof(
      ecrImageAction,
      trainingJobStateChange,
      processingJobStateChange,
      modelPackageStateChange,
      otherServiceEvent,
      // An S3 notification delivered to the function directly, not through the queue.
      fc.array(newDataRecord, { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
    )
    .filter((event) => (event as Partial<Envelope>)?.['detail-type'] !== 'Scheduled Event')
    .map(
      (event): BadEvent => ({
        kinds: ['other-event'],
        event,
        expected: 'invalid',
        fields:
          typeof event === 'object' && event !== null && 'detail-type' in event
            ? [...ENVELOPE_FIELDS, 'detail']
            : ['(event)', 'Records'],
      }),
    );

  return fc.oneof(
    { weight: 10, arbitrary: batches },
    { weight: 4, arbitrary: brokenEnvelopes },
    { weight: 1, arbitrary: noRecords },
    { weight: 1, arbitrary: notObjects },
    { weight: 2, arbitrary: otherEvents },
  );
})();

/** A valid batch with one new object under the training-data prefix: the suites' check that the mocks can see a write. */
export const newDataBatch: Arbitrary<Record<string, unknown>> = fc
  .tuple(newDataRecord, fc.uuid())
  .map(([record, id]) => ({ Records: [sqsRecord(id, JSON.stringify({ Records: [record] }))] }));
