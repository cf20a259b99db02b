/**
 * GetObject with a Range, and CreateBucket of a bucket you own, as S3 answers them: `bytes=-N` is the last N
 * bytes (s3rver, underneath, would give the first N + 1), a suffix longer than the object is the whole object, a
 * plain range is left as it is; a bucket you own is created again with 200 in us-east-1, 409 elsewhere.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { useTestStack } from '../helpers/stack.js';

describe('S3: ranged GetObject', () => {
  const t = useTestStack();

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ranges' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'ranges', Key: 'digits.txt', Body: '0123456789' }));
  });

  it.each([
    ['bytes=-5', '56789', 'bytes 5-9/10'],
    ['bytes=-20', '0123456789', 'bytes 0-9/10'],
    ['bytes=2-4', '234', 'bytes 2-4/10'],
    ['bytes=7-', '789', 'bytes 7-9/10'],
  ])('%s answers %s with Content-Range %s', async (range, body, contentRange) => {
    const object = await t.s3.send(
      new GetObjectCommand({ Bucket: 'ranges', Key: 'digits.txt', Range: range }),
    );

    expect(await object.Body?.transformToString()).toBe(body);
    expect(object.ContentRange).toBe(contentRange);
    expect(object.$metadata.httpStatusCode).toBe(206);
  });
});

describe('S3: CreateBucket of a bucket you own', () => {
  const t = useTestStack();

  it('answers 200 in us-east-1, as S3 there does, and keeps what the bucket holds', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'owned' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'owned', Key: 'kept.txt', Body: 'kept' }));

    const again = await t.s3.send(new CreateBucketCommand({ Bucket: 'owned' }));

    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(again.Location).toBe('/owned');
    const kept = await t.s3.send(new GetObjectCommand({ Bucket: 'owned', Key: 'kept.txt' }));
    expect(await kept.Body?.transformToString()).toBe('kept');
  });
});

describe('S3: CreateBucket of a bucket you own, outside us-east-1', () => {
  const t = useTestStack({ region: 'eu-west-1' });

  it('answers 409 BucketAlreadyOwnedByYou', async () => {
    const s3 = new S3Client({
      endpoint: t.stack.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'owned-eu' }));

    await expect(s3.send(new CreateBucketCommand({ Bucket: 'owned-eu' }))).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      $metadata: { httpStatusCode: 409 },
    });
    s3.destroy();
  });
});

describe('S3: CopyObject of keys with reserved characters', () => {
  const t = useTestStack();

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'copies' }));
  });

  it.each([
    ['a+b.txt', 'copies/a%2Bb.txt'],
    ['a+b.txt', 'copies/a+b.txt'],
    ['with space & more?.txt', `copies/${encodeURIComponent('with space & more?.txt')}`],
    ['dir/ünïcode.txt', `copies/dir/${encodeURIComponent('ünïcode.txt')}`],
  ])('copies %s given as %s', async (key, copySource) => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'copies', Key: key, Body: `body of ${key}` }));

    await t.s3.send(
      new CopyObjectCommand({ Bucket: 'copies', Key: `copy-of/${key}`, CopySource: copySource }),
    );

    const copy = await t.s3.send(new GetObjectCommand({ Bucket: 'copies', Key: `copy-of/${key}` }));
    expect(await copy.Body?.transformToString()).toBe(`body of ${key}`);
  });
});

describe('S3: errors about non-ASCII names', () => {
  const t = useTestStack();

  it('answer XML that an XML parser reads, naming the key as it is', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'names' }));

    // the SDK parses the error XML: a named HTML entity would fail it with a parse error instead
    await expect(
      t.s3.send(new GetObjectCommand({ Bucket: 'names', Key: 'kéy ü&<.txt' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    const response = await fetch(`${t.stack.endpoint}/names/${encodeURIComponent('kéy ü&<.txt')}`);
    const xml = await response.text();
    expect(xml).toContain('<Key>kéy ü&amp;&lt;.txt</Key>');
    expect(xml).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)[a-zA-Z]+;/);
  });
});

describe('S3: conditional requests', () => {
  const t = useTestStack();
  let etag: string;

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'conditions' }));
    etag =
      (await t.s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: 'a.txt', Body: 'one' }))).ETag ?? '';
  });

  it('GetObject with a matching If-Match reads the object, with another ETag fails 412', async () => {
    const read = await t.s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: 'a.txt', IfMatch: etag }));
    expect(await read.Body?.transformToString()).toBe('one');

    await expect(
      t.s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: 'a.txt', IfMatch: '"0000"' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
  });

  it('GetObject and HeadObject with a matching If-None-Match answer 304', async () => {
    await expect(
      t.s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: 'a.txt', IfNoneMatch: etag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: 'conditions', Key: 'a.txt', IfNoneMatch: etag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    const other = await t.s3.send(
      new GetObjectCommand({ Bucket: 'conditions', Key: 'a.txt', IfNoneMatch: '"0000"' }),
    );
    expect(await other.Body?.transformToString()).toBe('one');
  });

  it('PutObject with If-None-Match * writes a new key once, and fails 412 without writing when it exists', async () => {
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'conditions', Key: 'once.txt', Body: 'first', IfNoneMatch: '*' }),
    );

    await expect(
      t.s3.send(
        new PutObjectCommand({ Bucket: 'conditions', Key: 'once.txt', Body: 'second', IfNoneMatch: '*' }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const kept = await t.s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: 'once.txt' }));
    expect(await kept.Body?.transformToString()).toBe('first');
  });

  it('PutObject with If-Match overwrites only the version it names', async () => {
    await expect(
      t.s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: 'a.txt', Body: 'two', IfMatch: '"0000"' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await t.s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: 'a.txt', Body: 'two', IfMatch: etag }));

    const read = await t.s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: 'a.txt' }));
    expect(await read.Body?.transformToString()).toBe('two');
  });
});

describe('S3: CreateBucketConfiguration and GetBucketLocation', () => {
  const t = useTestStack({ region: 'eu-west-1' });
  const put = (bucket: string, body: string) =>
    fetch(`${t.stack.endpoint}/${bucket}`, {
      method: 'PUT',
      body,
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=abc',
      },
    });

  it('keeps the region a bucket was created in, and reports it', async () => {
    const s3 = t.stack.client(S3Client, { region: 'eu-west-1', forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'in-ireland' }));

    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'in-ireland' }));

    expect(location.LocationConstraint).toBe('eu-west-1');
  });

  it.each([
    [
      'a configuration that is not well-formed',
      '<CreateBucketConfiguration><LocationConstraint>eu-west-1',
      'MalformedXML',
    ],
    ['another document', '<Tagging><TagSet/></Tagging>', 'MalformedXML'],
    [
      'us-east-1 named as a constraint',
      '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
      'InvalidLocationConstraint',
    ],
    [
      'a region that does not exist',
      '<CreateBucketConfiguration><LocationConstraint>mars-north-1x</LocationConstraint></CreateBucketConfiguration>',
      'InvalidLocationConstraint',
    ],
  ])('refuses %s, creating nothing', async (_what, body, code) => {
    const response = await put('refused-bucket', body);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`<Code>${code}</Code>`);
    await expect(t.s3.send(new HeadBucketCommand({ Bucket: 'refused-bucket' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
