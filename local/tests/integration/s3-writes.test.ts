/**
 * Writes as S3 makes them: an object is stored whole or not at all. A PUT whose body stops short of its
 * Content-Length, or stalls, stores nothing and leaves the old object readable; a body whose Content-MD5 or
 * x-amz-checksum-crc32 does not match is refused with BadDigest and stored nowhere; PutObject echoes the checksum
 * it checked.
 */

import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { useTestStack } from '../helpers/stack.js';

const BUCKET = 'writes';
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc';

/**
 * A raw PUT of `key` that declares `declared` bytes and sends `sent` of them, then (`end`) closes the socket or
 * (`stall`) keeps it open: the answer, if one comes.
 */
function partialPut(
  endpoint: string,
  key: string,
  declared: number,
  sent: number,
  end: 'disconnect' | 'stall',
): Promise<{ status: number; body: string } | 'no answer'> {
  const url = new URL(`/${BUCKET}/${key}`, endpoint);
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: {
        'content-length': declared,
        authorization: AUTHORIZATION,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', () => resolve('no answer'));
    req.write(Buffer.alloc(sent, 'x'));
    if (end === 'disconnect') setTimeout(() => req.destroy(), 200);
  });
}

describe('S3: writes are whole or nothing', () => {
  const t = useTestStack({ s3IdleTimeoutMs: 1_000 });
  const read = async (key: string) =>
    (await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString();

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('stores nothing of a PUT whose client disconnects before the declared length, and keeps the old object', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cut.txt', Body: 'the old object' }));

    await partialPut(t.stack.endpoint, 'cut.txt', 10_000_000, 1_000_000, 'disconnect');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await read('cut.txt')).toBe('the old object');
  });

  it('answers a body that stalls with RequestTimeout, and stores nothing of it', async () => {
    const answer = await partialPut(t.stack.endpoint, 'stalled.txt', 100, 10, 'stall');

    expect(answer).toMatchObject({
      status: 400,
      body: expect.stringContaining('<Code>RequestTimeout</Code>'),
    });
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stalled.txt' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses a Content-MD5 that does not match the body with BadDigest, storing nothing', async () => {
    const wrong = createHash('md5').update('another body').digest('base64');

    await expect(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5.txt', Body: 'a body', ContentMD5: wrong })),
    ).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    await expect(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5.txt' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('stores a body whose Content-MD5 matches, with that MD5 as its ETag', async () => {
    const md5 = createHash('md5').update('a body');

    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'md5-ok.txt',
        Body: 'a body',
        ContentMD5: md5.copy().digest('base64'),
      }),
    );

    expect(put.ETag).toBe(`"${md5.digest('hex')}"`);
    expect(await read('md5-ok.txt')).toBe('a body');
  });

  it('refuses an x-amz-checksum-crc32 that does not match the body with BadDigest, storing nothing', async () => {
    await expect(
      t.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'crc.txt', Body: 'a body', ChecksumCRC32: 'AAAAAA==' }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    await expect(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'crc.txt' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('echoes the CRC32 it checked on a plain PutObject', async () => {
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'crc-ok.txt', Body: 'a body', ChecksumAlgorithm: 'CRC32' }),
    );

    expect(put.ChecksumCRC32).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]{6}==$/));
    expect(await read('crc-ok.txt')).toBe('a body');
  });
});
