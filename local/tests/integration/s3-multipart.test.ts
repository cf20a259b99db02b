/**
 * Multipart uploads as S3 answers them, driven with the SDK: parts are listed and an upload can be aborted or
 * listed while in progress; completing checks every part's ETag, their order and the 5 MiB minimum of all but
 * the last; the object's ETag is `<md5 of the parts' md5s>-<count>`; an upload completed or aborted is gone
 * (NoSuchUpload), and so is one that never was.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { eventually, useTestStack } from '../helpers/stack.js';

const BUCKET = 'multipart';
const MiB = 1024 * 1024;
const md5 = (body: Buffer) => createHash('md5').update(body).digest();

describe('S3: multipart uploads', () => {
  const t = useTestStack();
  const start = async (Key: string) =>
    (await t.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key, ContentType: 'text/csv' })))
      .UploadId as string;
  const upload = async (Key: string, UploadId: string, PartNumber: number, Body: Buffer) =>
    (await t.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber, Body })))
      .ETag as string;
  const complete = (Key: string, UploadId: string, parts: [number, string][]) =>
    t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key,
        UploadId,
        MultipartUpload: { Parts: parts.map(([PartNumber, ETag]) => ({ PartNumber, ETag })) },
      }),
    );
  const noSuchUpload = { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } };

  beforeAll(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it("lists the parts and the upload in progress, completes with S3's multipart ETag, then forgets the upload", async () => {
    const first = Buffer.alloc(5 * MiB, 'a');
    const last = Buffer.from('the last part');
    const id = await start('data.csv');
    const etags = [await upload('data.csv', id, 1, first), await upload('data.csv', id, 2, last)];

    const parts = await t.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'data.csv', UploadId: id }));
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    const done = await complete('data.csv', id, [
      [1, etags[0] as string],
      [2, etags[1] as string],
    ]);

    expect(parts.Parts?.map((part) => [part.PartNumber, part.Size, part.ETag])).toEqual([
      [1, 5 * MiB, etags[0]],
      [2, last.length, etags[1]],
    ]);
    expect(uploads.Uploads?.map((inProgress) => [inProgress.Key, inProgress.UploadId])).toEqual([
      ['data.csv', id],
    ]);
    const expected = `"${createHash('md5')
      .update(Buffer.concat([md5(first), md5(last)]))
      .digest('hex')}-2"`;
    expect(done.ETag).toBe(expected);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'data.csv' }));
    expect(head).toMatchObject({
      ETag: expected,
      ContentLength: first.length + last.length,
      ContentType: 'text/csv',
    });
    const object = await t.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'data.csv', Range: 'bytes=-13' }),
    );
    expect(await object.Body?.transformToString()).toBe('the last part');
    await expect(complete('data.csv', id, [[1, etags[0] as string]])).rejects.toMatchObject(noSuchUpload);
    expect((await t.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  });

  it('refuses a part ETag that was not uploaded, parts out of order and a first part under 5 MiB', async () => {
    const id = await start('checked.csv');
    const small = await upload('checked.csv', id, 1, Buffer.from('small'));
    const second = await upload('checked.csv', id, 2, Buffer.from('second'));

    await expect(
      complete('checked.csv', id, [[1, '"0123456789abcdef0123456789abcdef"']]),
    ).rejects.toMatchObject({
      name: 'InvalidPart',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      complete('checked.csv', id, [
        [2, second],
        [1, small],
      ]),
    ).rejects.toMatchObject({ name: 'InvalidPartOrder', $metadata: { httpStatusCode: 400 } });
    await expect(
      complete('checked.csv', id, [
        [1, small],
        [2, second],
      ]),
    ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'checked.csv' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('aborts an upload: its parts are gone and it can no longer be listed, written or completed', async () => {
    const id = await start('aborted.csv');
    const etag = await upload('aborted.csv', id, 1, Buffer.from('part'));

    const aborted = await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted.csv', UploadId: id }),
    );

    expect(aborted.$metadata.httpStatusCode).toBe(204);
    await expect(
      t.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'aborted.csv', UploadId: id })),
    ).rejects.toMatchObject(noSuchUpload);
    await expect(upload('aborted.csv', id, 2, Buffer.from('late'))).rejects.toMatchObject(noSuchUpload);
    await expect(complete('aborted.csv', id, [[1, etag]])).rejects.toMatchObject(noSuchUpload);
  });

  it('refuses a part for an upload that never was', async () => {
    await expect(
      upload('never.csv', '0123456789abcdef0123456789abcdef', 1, Buffer.from('x')),
    ).rejects.toMatchObject(noSuchUpload);
  });

  it("uploads with the SDK's Upload in parts, and leaves nothing when it is aborted mid-way", async () => {
    const whole = new Upload({
      client: t.s3,
      params: { Bucket: BUCKET, Key: 'whole.bin', Body: Buffer.alloc(12 * MiB, 'w') },
      partSize: 5 * MiB,
      queueSize: 2,
    });
    const stopped = new Upload({
      client: t.s3,
      params: { Bucket: BUCKET, Key: 'stopped.bin', Body: Readable.from(slowChunks(20)) },
      partSize: 5 * MiB,
    });
    let partsSent = 0;
    stopped.on('httpUploadProgress', () => {
      partsSent += 1;
      if (partsSent === 1) void stopped.abort();
    });

    await whole.done();
    await expect(stopped.done()).rejects.toMatchObject({ name: 'AbortError' });

    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'whole.bin' }));
    expect(head).toMatchObject({
      ContentLength: 12 * MiB,
      ETag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/),
    });
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stopped.bin' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    // the SDK aborts the upload on S3 once its part in flight has stopped, just after done() rejects
    await eventually('the aborted upload to be gone', async () => {
      const left = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'stopped' }));
      return left.Uploads?.length ? undefined : true;
    });
  });
});

/** `count` chunks of 1 MiB, one every 20 ms: a body still being read when the upload is aborted. */
async function* slowChunks(count: number): AsyncGenerator<Buffer> {
  for (let index = 0; index < count; index += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    yield Buffer.alloc(MiB, 's');
  }
}
