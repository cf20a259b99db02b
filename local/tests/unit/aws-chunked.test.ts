import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { ChunkedEncodingError, crc32Base64, decodeAwsChunked } from '../../src/s3/aws-chunked.js';

function collector(): { sink: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, data: () => Buffer.concat(chunks) };
}

/** Splits the encoded body in small pieces, so that headers and CRLFs straddle reads. */
async function* pieces(body: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

describe('Function: decodeAwsChunked', () => {
  const payload = Buffer.from('hello aws-chunked world, '.repeat(100));
  const encode = (parts: Buffer[], trailer: string, signed = false): Buffer =>
    Buffer.concat([
      ...parts.flatMap((part) => [
        Buffer.from(`${part.length.toString(16)}${signed ? ';chunk-signature=abc' : ''}\r\n`),
        part,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(`0${signed ? ';chunk-signature=def' : ''}\r\n${trailer}\r\n`),
    ]);

  it.each([1, 7, 4096])(
    'decodes an unsigned body with a CRC32 trailer read %i bytes at a time',
    async (size) => {
      // Prepare
      const checksum = crc32Base64(crc32(payload));
      const body = encode(
        [payload.subarray(0, 1000), payload.subarray(1000)],
        `x-amz-checksum-crc32:${checksum}\r\n`,
      );
      const { sink, data } = collector();

      // Act
      const result = await decodeAwsChunked(pieces(body, size), sink);

      // Assess
      expect(data().equals(payload)).toBe(true);
      expect(result).toEqual({
        decodedLength: payload.length,
        trailers: { 'x-amz-checksum-crc32': checksum },
        crc32: crc32(payload),
      });
    },
  );

  it('decodes a signed body (chunk signatures are ignored)', async () => {
    const { sink, data } = collector();
    await decodeAwsChunked(pieces(encode([payload], '', true), 64), sink);
    expect(data().equals(payload)).toBe(true);
  });

  it('rejects a body that ends inside a chunk', async () => {
    const body = encode([payload], '').subarray(0, 50);
    await expect(decodeAwsChunked(pieces(body, 16), collector().sink)).rejects.toBeInstanceOf(
      ChunkedEncodingError,
    );
  });

  it('rejects a malformed chunk header', async () => {
    await expect(
      decodeAwsChunked(pieces(Buffer.from('zz\r\nabc'), 16), collector().sink),
    ).rejects.toBeInstanceOf(ChunkedEncodingError);
  });
});
