/**
 * Presigned URLs as S3 answers them: a SigV4 URL works until it expires, then answers 403 AccessDenied
 * "Request has expired" with when it expired; a SigV2 query URL (what botocore presigns by default) works too,
 * and expires the same way.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { XMLParser } from 'fast-xml-parser';
import { useTestStack } from '../helpers/stack.js';

const BUCKET = 'presigned';
const errorOf = async (response: Response) =>
  (new XMLParser().parse(await response.text()) as { Error: Record<string, unknown> }).Error;

describe('S3: presigned URLs', () => {
  const t = useTestStack();

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'report.csv', Body: 'a,b\n1,2\n' }));
  });

  it('reads and writes through SigV4 URLs the SDK presigns', async () => {
    const put = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'upload.csv' }), {
      expiresIn: 60,
    });
    const get = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'upload.csv' }), {
      expiresIn: 60,
    });

    expect((await fetch(put, { method: 'PUT', body: 'x,y\n' })).status).toBe(200);
    const read = await fetch(get);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('x,y\n');
  });

  it('refuses a SigV4 URL once it has expired: 403 AccessDenied, with when it expired', async () => {
    const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'report.csv' }), {
      expiresIn: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    const response = await fetch(url);

    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({
      Code: 'AccessDenied',
      Message: 'Request has expired',
      'X-Amz-Expires': 1,
      Expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      ServerTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it("reads through a SigV2 query URL (botocore's default presigner) until its Expires, then refuses it", async () => {
    const inAMinute = Math.floor(Date.now() / 1000) + 60;
    const sigv2 = (expires: number) =>
      `${t.stack.endpoint}/${BUCKET}/report.csv?AWSAccessKeyId=AKIDEXAMPLE&Signature=c2lnbmF0dXJl&Expires=${expires}`;

    const fresh = await fetch(sigv2(inAMinute));
    const stale = await fetch(sigv2(inAMinute - 3_600));

    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('a,b\n1,2\n');
    expect(stale.status).toBe(403);
    expect(await errorOf(stale)).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired' });
  });
});
