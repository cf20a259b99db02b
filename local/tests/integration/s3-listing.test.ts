import { CreateBucketCommand, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { startTestStack, type TestStack } from '../helpers/stack.js';

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
