// The InvokeEndpoint client on undici (Node's own HTTP client library, MIT): a keep-alive Pool to one
// container's `serve` port, the answer read whole.
import { Pool } from 'undici';
import type { Done, InvokeClient, InvokeHeaders } from './upstream.js';

export class UndiciUpstream implements InvokeClient {
  private readonly pool: Pool;

  constructor(
    readonly port: number,
    readonly host = '127.0.0.1',
    readonly timeoutMs = 60_000,
  ) {
    this.pool = new Pool(`http://${host}:${port}`, {
      connections: 256,
      keepAliveTimeout: 4_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  get sockets(): number {
    return this.pool.destroyed ? 0 : this.pool.stats.connected;
  }

  post(headers: InvokeHeaders, body: Buffer, callback: Done): void {
    const requestHeaders: Record<string, string> = {
      'content-type': headers.contentType,
      'content-length': String(body.length),
    };
    if (headers.accept) requestHeaders.accept = headers.accept;
    if (headers.customAttributes)
      requestHeaders['x-amzn-sagemaker-custom-attributes'] = headers.customAttributes;
    this.pool
      .request({ method: 'POST', path: '/invocations', headers: requestHeaders, body })
      .then(async (response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        callback(undefined, {
          status: response.statusCode,
          headers: answerHeaders,
          body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
        });
      })
      .catch((error: Error) => callback(error));
  }

  close(): void {
    void this.pool.destroy().catch(() => {});
  }
}
