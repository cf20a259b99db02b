import { encodeS3EventKey } from '../../src/s3/notification-record.js';
import { ruleMatches } from '../../src/s3/notifications.js';

describe('Function: encodeS3EventKey', () => {
  it.each([
    ['a b+c.csv', 'a+b%2Bc.csv'],
    ['training/year=2024/part 1.csv', 'training/year%3D2024/part+1.csv'],
    ['données/é.csv', 'donn%C3%A9es/%C3%A9.csv'],
    ["it's(1)~!*.csv", 'it%27s%281%29%7E%21*.csv'],
    ['plain-key_1.2.csv', 'plain-key_1.2.csv'],
  ])('encodes %p as S3 does in notifications: %p', (key, expected) => {
    expect(encodeS3EventKey(key)).toBe(expected);
  });
});

describe('Function: ruleMatches', () => {
  const rule = {
    id: 'r',
    target: { kind: 'queue' as const, arn: 'arn:aws:sqs:us-east-1:0:q' },
    events: ['s3:ObjectCreated:*'],
    prefix: 'training/',
    suffix: '.csv',
  };

  it.each([
    ['ObjectCreated:Put', 'training/a.csv', true],
    ['ObjectCreated:CompleteMultipartUpload', 'training/a.csv', true],
    ['ObjectRemoved:Delete', 'training/a.csv', false],
    ['ObjectCreated:Put', 'other/a.csv', false],
    ['ObjectCreated:Put', 'training/a.json', false],
  ])('%s of %s matches: %p', (eventName, key, expected) => {
    expect(ruleMatches(rule, eventName, key)).toBe(expected);
  });
});
