import { digestOf, IMAGE_DIGEST, parseS3Uri } from '../../src/contracts.js';
import { TerminalError } from '../../src/errors.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

describe('Function: parseS3Uri', () => {
  it.each([
    [
      's3://mlpipe-dev-000000000000-us-east-1/evaluations/job/evaluation.json',
      'evaluations/job/evaluation.json',
    ],
    ['s3://mlpipe-dev-000000000000-us-east-1/training-data/', 'training-data/'],
    ['s3://mlpipe-dev-000000000000-us-east-1', ''],
  ])('gives the bucket and key of %s', (uri, key) => {
    expect(parseS3Uri(uri)).toEqual({ bucket: 'mlpipe-dev-000000000000-us-east-1', key });
  });

  it.each(['https://bucket.s3.amazonaws.com/key', 's3://', 's3://Bucket_Name/key', 'bucket/key'])(
    'refuses %s with a TerminalError naming it',
    (uri) => {
      expect(() => parseS3Uri(uri)).toThrow(TerminalError);
      expect(() => parseS3Uri(uri)).toThrow(`${uri} is not an s3:// URI`);
    },
  );
});

describe('Function: digestOf', () => {
  it('gives the digest of an image referenced by digest', () => {
    expect(digestOf(`000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@${DIGEST}`)).toBe(DIGEST);
    expect(IMAGE_DIGEST.test(DIGEST)).toBe(true);
  });

  it.each([
    '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev:latest',
    `000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev@sha256:${'AB12'.repeat(16)}`,
    `mlpipe-dev@sha256:${'ab12'.repeat(15)}`,
    `mlpipe-dev@${DIGEST}x`,
  ])('gives nothing for %s', (image) => {
    expect(digestOf(image)).toBeUndefined();
  });
});
