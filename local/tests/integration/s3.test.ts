import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('S3: objects through the edge', () => {
  let t: TestStack;
  let workDir: string;
  const bucket = 'data-bucket';

  beforeAll(async () => {
    t = await startTestStack();
    workDir = await mkdtemp(path.join(tmpdir(), 's3-test-'));
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await t.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('uses path-style requests for an IP-address endpoint without forcePathStyle', async () => {
    // Act
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    // Assess: a virtual-host request to data-bucket.127.0.0.1 could not even resolve
    expect(listed.$metadata.httpStatusCode).toBe(200);
  });

  it.each([
    ['default checksum settings', {}],
    [
      'WHEN_REQUIRED checksum settings',
      { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' },
    ],
  ] as const)('reads back a 20 MB stream byte for byte with %s', async (_label, settings) => {
    // Prepare
    const client = new S3Client({
      ...t.stack.clientConfig,
      ...settings,
    });
    const content = randomBytes(20 * 1024 * 1024);
    const file = path.join(workDir, `${_label.replace(/\W/g, '-')}.bin`);
    await writeFile(file, content);
    const key = `streams/${_label}.bin`;

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: content.length,
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await got.Body?.transformToByteArray();

    // Assess
    expect(got.ContentLength).toBe(content.length);
    expect(got.ContentEncoding ?? '').not.toContain('aws-chunked');
    expect(body?.length).toBe(content.length);
    expect(sha256(body ?? new Uint8Array())).toBe(sha256(content));
    client.destroy();
  });

  it('stores a small string body and its metadata unchanged', async () => {
    // Act
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'a b+c.csv',
        Body: 'x,y\n1,2\n',
        ContentType: 'text/csv',
        Metadata: { origin: 'test' },
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a b+c.csv' }));

    // Assess
    expect(await got.Body?.transformToString()).toBe('x,y\n1,2\n');
    expect(got.ContentType).toBe('text/csv');
    expect(got.Metadata).toEqual({ origin: 'test' });
  });

  it('stores an unknown-length stream sent with default settings', async () => {
    // Act
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream.txt',
        Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
        ContentLength: 11,
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream.txt' }));

    // Assess
    expect(await got.Body?.transformToString()).toBe('hello world');
  });

  it('returns NoSuchKey for a missing object', async () => {
    await expect(t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('returns NoSuchBucket for a missing bucket', async () => {
    await expect(t.s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('keeps a bucket notification configuration', async () => {
    // Act
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'new-data',
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:retrain',
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'training/' }] } },
            },
          ],
        },
      }),
    );
    const config = await t.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));

    // Assess
    expect(config.QueueConfigurations).toEqual([
      {
        Id: 'new-data',
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:retrain',
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'training/' }] } },
      },
    ]);
  });
});
