// S3, for every operation the pipeline, the reference image, `aws s3 cp/sync/ls` and the SDK's `Upload` use.
import { createHash } from 'node:crypto';
import {
  type BucketLocationConstraint,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Clients, casesOf, refused } from './case.js';

export const BUCKET = 'conformance';
const DIGITS = '0123456789';
export const MiB = 1024 * 1024;
export const quotedMd5 = (body: string | Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

/** The bucket the cases share, with `digits.txt` in it. */
export async function prepareS3(s3: S3Client): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'digits.txt', Body: DIGITS }));
}

const put = (c: Clients, Key: string, Body: string | Buffer = DIGITS) =>
  c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));

export const s3Cases = casesOf('S3', [
  [
    'CreateBucket',
    '200 with the Location of a new bucket',
    async (c) => {
      const created = await c.s3.send(new CreateBucketCommand({ Bucket: 'conformance-new' }));
      expect(created).toMatchObject({ Location: '/conformance-new', $metadata: { httpStatusCode: 200 } });
    },
  ],
  [
    'CreateBucket',
    '200 again for a bucket you own, in us-east-1',
    async (c) => {
      const again = await c.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      expect(again.$metadata.httpStatusCode).toBe(200);
    },
  ],
  [
    'CreateBucket',
    'InvalidLocationConstraint (400) for LocationConstraint us-east-1',
    (c) =>
      refused(
        c.s3.send(
          new CreateBucketCommand({
            Bucket: 'conformance-bad-location',
            CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as BucketLocationConstraint },
          }),
        ),
        'InvalidLocationConstraint',
        400,
      ),
  ],
  [
    'HeadBucket',
    '200 for a bucket that exists',
    async (c) => {
      expect((await c.s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).$metadata.httpStatusCode).toBe(200);
    },
  ],
  [
    'HeadBucket',
    'NotFound (404) for one that does not',
    (c) => refused(c.s3.send(new HeadBucketCommand({ Bucket: 'conformance-nowhere' })), 'NotFound', 404),
  ],
  [
    'ListBuckets',
    'every bucket by name, with its creation date',
    async (c) => {
      const { Buckets } = await c.s3.send(new ListBucketsCommand({}));
      const bucket = Buckets?.find((entry) => entry.Name === BUCKET);
      expect(bucket?.CreationDate).toBeInstanceOf(Date);
    },
  ],
  [
    'GetBucketLocation',
    'an empty LocationConstraint for us-east-1',
    async (c) => {
      const location = await c.s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
      expect(location.LocationConstraint ?? '').toBe('');
    },
  ],
  [
    'PutObject',
    "200 with the body's MD5 as ETag",
    async (c) => {
      expect((await put(c, 'put/plain.txt', 'hello')).ETag).toBe(quotedMd5('hello'));
    },
  ],
  [
    'PutObject',
    'the CRC32 it was asked to compute, echoed',
    async (c) => {
      const stored = await c.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'put/crc.txt',
          Body: 'hello',
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      expect(stored.ChecksumCRC32).toBe('NhCmhg==');
    },
  ],
  [
    'PutObject',
    'BadDigest (400) for a Content-MD5 that does not match, storing nothing',
    async (c) => {
      await refused(
        c.s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'put/bad-md5.txt',
            Body: 'hello',
            ContentMD5: createHash('md5').update('other').digest('base64'),
          }),
        ),
        'BadDigest',
        400,
      );
      await refused(
        c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'put/bad-md5.txt' })),
        'NotFound',
        404,
      );
    },
  ],
  [
    'PutObject',
    'PreconditionFailed (412) for If-None-Match: * on a key that exists',
    (c) =>
      refused(
        c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'digits.txt', Body: 'x', IfNoneMatch: '*' })),
        'PreconditionFailed',
        412,
      ),
  ],
  [
    'PutObject',
    'NoSuchBucket (404) for a bucket that does not exist',
    (c) =>
      refused(
        c.s3.send(new PutObjectCommand({ Bucket: 'conformance-nowhere', Key: 'a', Body: 'x' })),
        'NoSuchBucket',
        404,
      ),
  ],
  [
    'GetObject',
    'the bytes, their length and ETag',
    async (c) => {
      const object = await c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'digits.txt' }));
      expect(await object.Body?.transformToString()).toBe(DIGITS);
      expect(object).toMatchObject({ ContentLength: 10, ETag: quotedMd5(DIGITS) });
      expect(object.LastModified).toBeInstanceOf(Date);
    },
  ],
  [
    'GetObject',
    '206 with the last N bytes for Range: bytes=-N',
    async (c) => {
      const object = await c.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'digits.txt', Range: 'bytes=-3' }),
      );
      expect(await object.Body?.transformToString()).toBe('789');
      expect(object).toMatchObject({ ContentRange: 'bytes 7-9/10', $metadata: { httpStatusCode: 206 } });
    },
  ],
  [
    'GetObject',
    'NoSuchKey (404) for a key that does not exist',
    (c) => refused(c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nowhere.txt' })), 'NoSuchKey', 404),
  ],
  [
    'GetObject',
    'NoSuchBucket (404) for a bucket that does not exist',
    (c) =>
      refused(
        c.s3.send(new GetObjectCommand({ Bucket: 'conformance-nowhere', Key: 'a' })),
        'NoSuchBucket',
        404,
      ),
  ],
  [
    'GetObject',
    'PreconditionFailed (412) for an If-Match of another ETag',
    (c) =>
      refused(
        c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'digits.txt', IfMatch: quotedMd5('other') })),
        'PreconditionFailed',
        412,
      ),
  ],
  [
    'GetObject',
    '304 for an If-None-Match of its ETag',
    async (c) => {
      await expect(
        c.s3.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: 'digits.txt', IfNoneMatch: quotedMd5(DIGITS) }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    },
  ],
  [
    'GetObject',
    'through a presigned URL: the bytes; once expired: AccessDenied (403)',
    async (c) => {
      const command = new GetObjectCommand({ Bucket: BUCKET, Key: 'digits.txt' });
      const fresh = await fetch(await getSignedUrl(c.s3, command, { expiresIn: 60 }));
      const expired = await fetch(
        await getSignedUrl(c.s3, command, { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) }),
      );
      expect([fresh.status, await fresh.text()]).toEqual([200, DIGITS]);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('<Code>AccessDenied</Code>');
    },
  ],
  [
    'HeadObject',
    'the length and ETag, no body',
    async (c) => {
      const head = await c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'digits.txt' }));
      expect(head).toMatchObject({ ContentLength: 10, ETag: quotedMd5(DIGITS) });
    },
  ],
  [
    'HeadObject',
    'NotFound (404) for a key that does not exist',
    (c) => refused(c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nowhere.txt' })), 'NotFound', 404),
  ],
  [
    'CopyObject',
    'a copy of a key holding +, spaces and non-ASCII characters, with its ETag',
    async (c) => {
      await put(c, 'copy/a+b c é.txt', 'copied');
      const copied = await c.s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'copy/target.txt',
          CopySource: `${BUCKET}/${encodeURIComponent('copy/a+b c é.txt')}`,
        }),
      );
      const object = await c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copy/target.txt' }));
      expect(copied.CopyObjectResult?.ETag).toBe(quotedMd5('copied'));
      expect(await object.Body?.transformToString()).toBe('copied');
    },
  ],
  [
    'CopyObject',
    'NoSuchKey (404) for a source that does not exist',
    (c) =>
      refused(
        c.s3.send(
          new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/x', CopySource: `${BUCKET}/nowhere.txt` }),
        ),
        'NoSuchKey',
        404,
      ),
  ],
  [
    'ListObjectsV2',
    'the keys under a prefix in key order, with KeyCount',
    async (c) => {
      for (const key of ['list/b.csv', 'list/a.csv', 'list/c/d.csv']) await put(c, key);
      const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/' }));
      expect(listed.Contents?.map((entry) => entry.Key)).toEqual([
        'list/a.csv',
        'list/b.csv',
        'list/c/d.csv',
      ]);
      expect(listed).toMatchObject({ KeyCount: 3, IsTruncated: false });
    },
  ],
  [
    'ListObjectsV2',
    'with a Delimiter: common prefixes and keys counted together against MaxKeys, then a continuation token',
    async (c) => {
      for (const key of ['tree/a.csv', 'tree/b/1.csv', 'tree/c.csv']) await put(c, key);
      const first = await c.s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tree/', Delimiter: '/', MaxKeys: 2 }),
      );
      const rest = await c.s3.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: 'tree/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken: first.NextContinuationToken,
        }),
      );
      expect(first.Contents?.map((entry) => entry.Key)).toEqual(['tree/a.csv']);
      expect(first.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual(['tree/b/']);
      expect(first).toMatchObject({ KeyCount: 2, IsTruncated: true });
      expect(rest.Contents?.map((entry) => entry.Key)).toEqual(['tree/c.csv']);
      expect(rest).toMatchObject({ KeyCount: 1, IsTruncated: false });
    },
  ],
  [
    'ListObjectsV2',
    'NoSuchBucket (404) for a bucket that does not exist',
    (c) =>
      refused(c.s3.send(new ListObjectsV2Command({ Bucket: 'conformance-nowhere' })), 'NoSuchBucket', 404),
  ],
  [
    'DeleteObject',
    '204, and the key is gone; 204 again for a key that is not there',
    async (c) => {
      await put(c, 'delete/me.txt');
      const deleted = await c.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'delete/me.txt' }));
      const again = await c.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'delete/me.txt' }));
      expect([deleted.$metadata.httpStatusCode, again.$metadata.httpStatusCode]).toEqual([204, 204]);
      await refused(
        c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'delete/me.txt' })),
        'NotFound',
        404,
      );
    },
  ],
  [
    'DeleteObjects',
    'every key named as Deleted, existing or not',
    async (c) => {
      await put(c, 'delete/one.txt');
      const deleted = await c.s3.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: [{ Key: 'delete/one.txt' }, { Key: 'delete/never.txt' }] },
        }),
      );
      expect(deleted.Deleted?.map((entry) => entry.Key).sort()).toEqual([
        'delete/never.txt',
        'delete/one.txt',
      ]);
      expect(deleted.Errors ?? []).toEqual([]);
    },
  ],
]);
