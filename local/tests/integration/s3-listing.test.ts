import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { startTestStack, type TestStack, useTestStack } from '../helpers/stack.js';

describe('S3: listing more than one page', () => {
  let t: TestStack;
  const keys = Array.from(
    { length: 1_205 },
    (_, i) => `training-data/part-${String(i).padStart(5, '0')}.csv`,
  );

  beforeAll(async () => {
    t = await startTestStack();
    await t.s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(
        keys
          .slice(start, start + 50)
          .map((Key) => t.s3.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: 'x' }))),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('pages ListObjectsV2 with continuation tokens past 1,000 keys (s3rver patched: OpenSSL 3 refuses its DES tokens)', async () => {
    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2(
      { client: t.s3 },
      { Bucket: 'listing', Prefix: 'training-data/' },
    )) {
      pages += 1;
      listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    }
    expect(pages).toBe(2);
    expect(listed).toEqual(keys);
  });

  it('lists every key for the stack itself (job channels)', async () => {
    expect(await t.stack.s3.listKeys('listing', 'training-data/')).toEqual(keys);
  });
});

describe('S3: listing with a delimiter', () => {
  const t = useTestStack();
  const list = (input: { MaxKeys?: number; ContinuationToken?: string; StartAfter?: string } = {}) =>
    t.s3.send(new ListObjectsV2Command({ Bucket: 'folders', Delimiter: '/', ...input }));
  const entries = (page: Awaited<ReturnType<typeof list>>) => [
    ...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix),
    ...(page.Contents ?? []).map((object) => object.Key),
  ];

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'folders' }));
    for (const Key of ['a/1.csv', 'a/2.csv', 'b/1.csv', 'c.csv', 'd.csv', 'e.csv'])
      await t.s3.send(new PutObjectCommand({ Bucket: 'folders', Key, Body: 'x' }));
  });

  it('counts common prefixes and keys together in KeyCount', async () => {
    const page = await list();

    expect(entries(page)).toEqual(['a/', 'b/', 'c.csv', 'd.csv', 'e.csv']);
    expect(page.KeyCount).toBe(5);
    expect(page.IsTruncated).toBe(false);
  });

  it('applies MaxKeys across common prefixes and keys, in key order, with a token for the rest', async () => {
    const first = await list({ MaxKeys: 3 });
    const second = await list({ MaxKeys: 3, ContinuationToken: first.NextContinuationToken });

    expect(entries(first)).toEqual(['a/', 'b/', 'c.csv']);
    expect(first).toMatchObject({ KeyCount: 3, MaxKeys: 3, IsTruncated: true });
    expect(first.NextContinuationToken).toEqual(expect.any(String));
    expect(entries(second)).toEqual(['d.csv', 'e.csv']);
    expect(second).toMatchObject({ KeyCount: 2, IsTruncated: false });
  });

  it('pages one common prefix at a time with MaxKeys 1, never repeating one', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await list({ MaxKeys: 1, ...(token ? { ContinuationToken: token } : {}) });
      seen.push(...(entries(page) as string[]));
      expect(page.KeyCount).toBe(1);
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
    }

    expect(seen).toEqual(['a/', 'b/', 'c.csv', 'd.csv', 'e.csv']);
  });
});
