// The body of an object write, read whole before anything is stored: S3 stores an object whole or not at all,
// so a body that stops short of its Content-Length or stalls stores nothing, and one whose Content-MD5 or
// x-amz-checksum-crc32 does not match is refused (BadDigest). s3rver underneath would store what came. Plain
// bodies and the SDK's aws-chunked ones (decoded here, their CRC32 trailer checked) are read alike.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import { AwsError } from '../aws/errors.js';
import { ChunkedEncodingError, crc32Base64, decodeAwsChunked } from './aws-chunked.js';

/** S3 closes a connection that sends nothing for about 20 seconds. */
export const S3_IDLE_TIMEOUT_MS = 20_000;

export interface WrittenBody {
  length: number;
  /** The CRC32 S3 would compute, base64. */
  crc32: string;
  /** Whether the request gave a CRC32 or asked for one: PutObject then echoes it. */
  crc32Asked: boolean;
}

/** The CRC32 a request declares, in a header or (aws-chunked) a trailer: S3 refuses a body that does not match. */
function checkedCrc32(
  req: IncomingMessage,
  computed: number,
  trailers: Record<string, string> = {},
): Pick<WrittenBody, 'crc32' | 'crc32Asked'> {
  const crc = crc32Base64(computed);
  const declared = trailers['x-amz-checksum-crc32'] ?? req.headers['x-amz-checksum-crc32'];
  if (typeof declared === 'string' && declared !== crc) {
    throw new AwsError('BadDigest', 'The CRC32 you specified did not match the calculated checksum.', 400);
  }
  const algorithm = String(req.headers['x-amz-sdk-checksum-algorithm'] ?? '').toUpperCase();
  return { crc32: crc, crc32Asked: typeof declared === 'string' || algorithm === 'CRC32' };
}

/** Reads `req`'s body into `file`, whole: AwsError when it stops short, stalls or does not match its digests. */
export async function readWholeBody(
  req: IncomingMessage,
  file: string,
  idleTimeoutMs = S3_IDLE_TIMEOUT_MS,
): Promise<WrittenBody> {
  const md5 = createHash('md5');
  let checksum = 0;
  let length = 0;
  await new Promise<void>((resolve, reject) => {
    const sink = createWriteStream(file);
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      sink.destroy();
      reject(error);
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          fail(
            new AwsError(
              'RequestTimeout',
              'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
              400,
            ),
          ),
        idleTimeoutMs,
      );
    };
    idle();
    req.on('data', (chunk: Buffer) => {
      idle();
      md5.update(chunk);
      checksum = crc32(chunk, checksum);
      length += chunk.length;
      if (!sink.write(chunk)) {
        req.pause();
        sink.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      clearTimeout(timer);
      sink.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    // a client that goes before the end of its body: nothing is stored, and nobody is there to answer
    req.on('close', () => {
      if (!req.complete) fail(new AwsError('IncompleteBody', 'The client closed the connection.', 400));
    });
    req.on('error', fail);
    sink.on('error', fail);
  });
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) !== length) {
    throw new AwsError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header.',
      400,
    );
  }
  const contentMd5 = req.headers['content-md5'];
  if (typeof contentMd5 === 'string' && contentMd5 !== md5.digest('base64')) {
    throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  return { length, ...checkedCrc32(req, checksum) };
}

/**
 * Decodes `req`'s aws-chunked body (the SDK's default for streamed uploads) into `file`: AwsError when it is
 * malformed, shorter or longer than its x-amz-decoded-content-length, or does not match its CRC32.
 */
export async function readChunkedBody(req: IncomingMessage, file: string): Promise<WrittenBody> {
  let decoded: Awaited<ReturnType<typeof decodeAwsChunked>>;
  try {
    const sink = createWriteStream(file);
    decoded = await decodeAwsChunked(req as AsyncIterable<Buffer>, sink);
    await new Promise<void>((resolve, reject) =>
      sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    if (error instanceof ChunkedEncodingError) {
      throw new AwsError('IncompleteBody', `Malformed aws-chunked body: ${error.message}`);
    }
    throw error;
  }
  const declared = req.headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== decoded.decodedLength) {
    throw new AwsError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.',
    );
  }
  return { length: decoded.decodedLength, ...checkedCrc32(req, decoded.crc32, decoded.trailers) };
}
