import {
  classifyRecord,
  distinctObjects,
  type NewObject,
  newestObject,
  trainingDataLocation,
} from '../../src/objects.js';
import { BUCKET, s3Body, sqsRecord, TEST_EVENT_BODY } from '../events.js';

const location = trainingDataLocation(`s3://${BUCKET}/training-data`);
const classify = (body: string) => classifyRecord(sqsRecord('m-1', body), location);

describe('Function: trainingDataLocation', () => {
  it.each([
    ['s3://bucket/training-data', { bucket: 'bucket', prefix: 'training-data/' }],
    ['s3://bucket/training-data/', { bucket: 'bucket', prefix: 'training-data/' }],
    ['s3://bucket/data/train', { bucket: 'bucket', prefix: 'data/train/' }],
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
  ])('splits %s into bucket and key prefix', (uri, expected) => {
    expect(trainingDataLocation(uri)).toEqual(expected);
  });
});

describe('Function: classifyRecord', () => {
  it.each([
    ['a space', 'training-data/new+batch/part+1.csv', 'training-data/new batch/part 1.csv'],
    ['a plus sign', 'training-data/a%2Bb.csv', 'training-data/a+b.csv'],
    ['a space and a plus sign', 'training-data/a+b%2Bc.csv', 'training-data/a b+c.csv'],
    ['a percent sign', 'training-data/100%25+done.csv', 'training-data/100% done.csv'],
    ['a literal %2B', 'training-data/x%252By.csv', 'training-data/x%2By.csv'],
    [
      'unicode',
      'training-data/caf%C3%A9/%E6%95%B0%E6%8D%AE-%F0%9F%93%88.csv',
      'training-data/café/数据-📈.csv',
    ],
    ['reserved characters', 'training-data/a%3Db%26c%3F%23.csv', 'training-data/a=b&c?#.csv'],
  ])('decodes a key with %s exactly as it was written', (_what, encoded, decoded) => {
    const verdict = classify(s3Body({ key: encoded, size: 10 }));

    expect(verdict).toEqual({
      kind: 'objects',
      messageId: 'm-1',
      objects: [
        {
          messageId: 'm-1',
          bucket: BUCKET,
          key: decoded,
          size: 10,
          eventTime: '2026-11-16T10:00:00.000Z',
          sequencer: '0A1B2C3D4E5F678901',
        },
      ],
    });
  });

  it.each([
    ['the s3:TestEvent', TEST_EVENT_BODY, `s3:TestEvent for bucket ${BUCKET}`],
    [
      'a folder marker',
      s3Body({ key: 'training-data/2026-11-16/', size: 0 }),
      'training-data/2026-11-16/ is a folder marker',
    ],
    [
      'a folder marker with a size',
      s3Body({ key: 'training-data/new+folder/', size: 5 }),
      'training-data/new folder/ is a folder marker',
    ],
    [
      'a zero-byte object',
      s3Body({ key: 'training-data/_SUCCESS', size: 0 }),
      'training-data/_SUCCESS is empty (0 bytes)',
    ],
    [
      'a key outside the prefix',
      s3Body({ key: 'evaluation-data/holdout.csv' }),
      'evaluation-data/holdout.csv is outside training-data/',
    ],
    [
      'a key under a longer prefix that starts alike',
      s3Body({ key: 'training-data-archive/a.csv' }),
      'training-data-archive/a.csv is outside training-data/',
    ],
    [
      'a key of another bucket',
      s3Body({ key: 'training-data/a.csv', bucket: 'another-team-bucket' }),
      'bucket another-team-bucket is not the pipeline bucket',
    ],
    [
      'a deletion',
      s3Body({ key: 'training-data/a.csv', eventName: 'ObjectRemoved:Delete' }),
      'ObjectRemoved:Delete is not an object creation',
    ],
  ])('ignores %s with the reason', (_what, body, reason) => {
    expect(classify(body)).toEqual({ kind: 'ignored', messageId: 'm-1', reason });
  });

  it('keeps the new objects of a message with several records and ignores the others', () => {
    const [inside] = JSON.parse(s3Body({ key: 'training-data/a.csv' })).Records;
    const [outside] = JSON.parse(s3Body({ key: 'other/b.csv' })).Records;

    const verdict = classify(JSON.stringify({ Records: [outside, inside] }));

    expect(verdict).toMatchObject({ kind: 'objects', objects: [{ key: 'training-data/a.csv' }] });
  });

  it.each([
    ['not JSON', 'not json', /^not an S3 notification \(\(event\): SQS message body is not JSON\)$/],
    ['JSON but no S3 message', '{"hello":"world"}', /^not an S3 notification \(Records: /],
    ['a record without a key', s3Body({ key: 'x' }).replace('"key":"x",', ''), /Records\.0\.s3\.object\.key/],
  ])('marks a body that is %s as bad, naming what is wrong', (_what, body, error) => {
    const verdict = classify(body);

    expect(verdict).toEqual({ kind: 'bad', messageId: 'm-1', error: expect.stringMatching(error) });
  });

  it('marks a key that S3 cannot have encoded as bad', () => {
    expect(classify(s3Body({ key: 'training-data/%E0%A4%A.csv' }))).toEqual({
      kind: 'bad',
      messageId: 'm-1',
      error: 'key training-data/%E0%A4%A.csv is not URL-encoded as S3 encodes keys',
    });
  });
});

describe('Function: newestObject', () => {
  const object = (key: string, eventTime: string, sequencer = '01'): NewObject => ({
    messageId: key,
    bucket: BUCKET,
    key,
    size: 1,
    eventTime,
    sequencer,
  });

  it('picks the latest event time, then the greatest key on a tie', () => {
    const objects = [
      object('training-data/b.csv', '2026-11-16T10:00:02.000Z'),
      object('training-data/z.csv', '2026-11-16T10:00:01.000Z'),
      object('training-data/a.csv', '2026-11-16T10:00:02.000Z'),
    ];

    expect(newestObject(objects)?.key).toBe('training-data/b.csv');
    expect(newestObject([...objects].reverse())?.key).toBe('training-data/b.csv');
    expect(newestObject([])).toBeUndefined();
  });

  it('counts an object that S3 notified twice once, and two writes of one key twice', () => {
    const first = object('training-data/a.csv', '2026-11-16T10:00:00.000Z', '01');

    const distinct = distinctObjects([
      first,
      { ...first, messageId: 'duplicate' },
      object('training-data/a.csv', '2026-11-16T10:05:00.000Z', '02'),
    ]);

    expect(distinct.map((o) => [o.messageId, o.sequencer])).toEqual([
      ['training-data/a.csv', '01'],
      ['training-data/a.csv', '02'],
    ]);
  });
});
