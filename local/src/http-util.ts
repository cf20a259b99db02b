// Small helpers shared by every emulated service: bounded body reading and JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from './aws/errors.js';

export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit)
      throw new AwsError('RequestEntityTooLarge', `Request body larger than ${limit} bytes`, 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A JSON request body that must be an object (AWS JSON protocols): `{}` when empty, `refusal()` otherwise. */
export function jsonObjectOf(raw: string, refusal: () => Error): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = raw ? JSON.parse(raw) : {};
  } catch {
    throw refusal();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refusal();
  return parsed as Record<string, unknown>;
}
