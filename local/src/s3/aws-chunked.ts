// Decoder for the `aws-chunked` content encoding that SDK v3 uses by default for uploads with checksums:
// `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0\r\n<trailer: value>\r\n\r\n`. s3rver would store the
// framing verbatim, so the edge decodes it first and checks the CRC32 trailer like S3 does.
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';

export interface DecodedChunks {
  decodedLength: number;
  trailers: Record<string, string>;
  crc32: number;
}

export class ChunkedEncodingError extends Error {}

const CRLF = Buffer.from('\r\n');

function write(sink: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    sink.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export async function decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  sink: Writable,
): Promise<DecodedChunks> {
  let buffer: Buffer = Buffer.alloc(0);
  let state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  let remaining = 0;
  let decodedLength = 0;
  let checksum = 0;
  const trailers: Record<string, string> = {};

  const step = async (): Promise<boolean> => {
    switch (state) {
      case 'size': {
        const end = buffer.indexOf(CRLF);
        if (end < 0) {
          if (buffer.length > 4096) throw new ChunkedEncodingError('chunk header too long');
          return false;
        }
        const header = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        const size = Number.parseInt(header.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0)
          throw new ChunkedEncodingError(`bad chunk header "${header}"`);
        remaining = size;
        state = size === 0 ? 'trailer' : 'data';
        return true;
      }
      case 'data': {
        if (buffer.length === 0) return false;
        const piece = buffer.subarray(0, Math.min(remaining, buffer.length));
        buffer = buffer.subarray(piece.length);
        remaining -= piece.length;
        decodedLength += piece.length;
        checksum = crc32(piece, checksum);
        await write(sink, piece);
        if (remaining === 0) state = 'data-end';
        return true;
      }
      case 'data-end': {
        if (buffer.length < 2) return false;
        if (!buffer.subarray(0, 2).equals(CRLF))
          throw new ChunkedEncodingError('missing CRLF after chunk data');
        buffer = buffer.subarray(2);
        state = 'size';
        return true;
      }
      case 'trailer': {
        const end = buffer.indexOf(CRLF);
        if (end < 0) return false;
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        if (line === '') {
          state = 'done';
          return false;
        }
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        return true;
      }
      case 'done':
        return false;
    }
  };

  for await (const chunk of source) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (await step()) {
      // consume what the buffer holds
    }
  }
  // a body may end right after the last trailer line without the closing blank line
  while (await step()) {
    // drain
  }
  if (state === 'size' || state === 'data' || state === 'data-end') {
    throw new ChunkedEncodingError('body ended inside a chunk');
  }
  return { decodedLength, trailers, crc32: checksum };
}

export function crc32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}
