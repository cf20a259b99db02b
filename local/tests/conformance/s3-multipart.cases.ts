// S3 multipart uploads, as `aws s3 cp` of large files and the SDK's `Upload` use them.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type Clients, casesOf, refused } from './case.js';
import { BUCKET, MiB, quotedMd5 } from './s3.cases.js';

const startUpload = async (c: Clients, Key: string) =>
  (await c.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }))).UploadId as string;

const uploadPart = async (c: Clients, Key: string, UploadId: string, PartNumber: number, Body: Buffer) =>
  (await c.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber, Body })))
    .ETag as string;

const completeUpload = (c: Clients, Key: string, UploadId: string, etags: string[]) =>
  c.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key,
      UploadId,
      MultipartUpload: { Parts: etags.map((ETag, index) => ({ PartNumber: index + 1, ETag })) },
    }),
  );

export const s3MultipartCases = casesOf('S3', [
  [
    'CreateMultipartUpload',
    'an UploadId for the bucket and key',
    async (c) => {
      const started = await c.s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/started' }),
      );
      expect(started).toMatchObject({ Bucket: BUCKET, Key: 'mpu/started', UploadId: expect.any(String) });
    },
  ],
  [
    'UploadPart',
    "the part's MD5 as ETag",
    async (c) => {
      const id = await startUpload(c, 'mpu/part');
      expect(await uploadPart(c, 'mpu/part', id, 1, Buffer.from('part'))).toBe(quotedMd5('part'));
    },
  ],
  [
    'UploadPart',
    'NoSuchUpload (404) for an upload that never was',
    (c) =>
      refused(
        c.s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: 'mpu/x',
            UploadId: 'never',
            PartNumber: 1,
            Body: 'x',
          }),
        ),
        'NoSuchUpload',
        404,
      ),
  ],
  [
    'ListParts',
    'the parts uploaded so far, numbered, with their ETags and sizes',
    async (c) => {
      const id = await startUpload(c, 'mpu/listed');
      const etag = await uploadPart(c, 'mpu/listed', id, 1, Buffer.from('first'));
      const parts = await c.s3.send(
        new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu/listed', UploadId: id }),
      );
      expect(parts.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
        { PartNumber: 1, ETag: etag, Size: 5 },
      ]);
    },
  ],
  [
    'ListMultipartUploads',
    'the uploads in progress, by key and UploadId',
    async (c) => {
      const id = await startUpload(c, 'mpu/in-progress');
      const uploads = await c.s3.send(
        new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'mpu/in-progress' }),
      );
      expect(uploads.Uploads?.map(({ Key, UploadId }) => ({ Key, UploadId }))).toEqual([
        { Key: 'mpu/in-progress', UploadId: id },
      ]);
    },
  ],
  [
    'CompleteMultipartUpload',
    "the object whole, with S3's multipart ETag (the MD5 of the parts' MD5s, then -N); the upload is then gone",
    async (c) => {
      const first = Buffer.alloc(5 * MiB, 'a');
      const id = await startUpload(c, 'mpu/whole');
      const etags = [
        await uploadPart(c, 'mpu/whole', id, 1, first),
        await uploadPart(c, 'mpu/whole', id, 2, Buffer.from('end')),
      ];
      const done = await completeUpload(c, 'mpu/whole', id, etags);
      const md5s = Buffer.concat(
        [first, Buffer.from('end')].map((part) => createHash('md5').update(part).digest()),
      );
      expect(done.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-2"`);
      const head = await c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mpu/whole' }));
      expect(head.ContentLength).toBe(5 * MiB + 3);
      await refused(completeUpload(c, 'mpu/whole', id, etags), 'NoSuchUpload', 404);
    },
  ],
  [
    'CompleteMultipartUpload',
    'EntityTooSmall (400) when a part but the last is under 5 MiB',
    async (c) => {
      const id = await startUpload(c, 'mpu/small');
      const etags = [
        await uploadPart(c, 'mpu/small', id, 1, Buffer.from('a')),
        await uploadPart(c, 'mpu/small', id, 2, Buffer.from('b')),
      ];
      await refused(completeUpload(c, 'mpu/small', id, etags), 'EntityTooSmall', 400);
    },
  ],
  [
    'CompleteMultipartUpload',
    'InvalidPart (400) for an ETag that is not the part uploaded',
    async (c) => {
      const id = await startUpload(c, 'mpu/wrong');
      await uploadPart(c, 'mpu/wrong', id, 1, Buffer.from('a'));
      await refused(completeUpload(c, 'mpu/wrong', id, [quotedMd5('b')]), 'InvalidPart', 400);
    },
  ],
  [
    'AbortMultipartUpload',
    '204, and the upload is gone (NoSuchUpload)',
    async (c) => {
      const id = await startUpload(c, 'mpu/aborted');
      const aborted = await c.s3.send(
        new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu/aborted', UploadId: id }),
      );
      expect(aborted.$metadata.httpStatusCode).toBe(204);
      await refused(
        c.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu/aborted', UploadId: id })),
        'NoSuchUpload',
        404,
      );
    },
  ],
  [
    'CompleteMultipartUpload',
    "through the SDK's Upload: an 11 MiB body in three parts, read back whole",
    async (c) => {
      const body = Buffer.alloc(11 * MiB, 'z');
      const done = await new Upload({
        client: c.s3,
        params: { Bucket: BUCKET, Key: 'mpu/sdk-upload', Body: body },
      }).done();
      const head = await c.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mpu/sdk-upload' }));
      expect(done.ETag).toMatch(/-3"$/);
      expect(head.ContentLength).toBe(body.length);
    },
  ],
]);
