// The HTTP/1.1 client from InvokeEndpoint to a variant's `serve` process: kept-alive loopback sockets to one
// port, one request in flight per socket, the request written in one piece and the response parsed in place.
//
// Why not a library: the budget is the latency the stack adds to a call (pnpm bench: ≤ 1 ms at p50, ≤ 5 ms at
// p99), and `pnpm bench` measures this client and undici's Pool (upstream-undici.ts, `invokeClient: 'undici'`)
// in the same rounds (bench/RESULTS.md). On 2 cores, this one added 0.23-1.33 ms at p50 and undici's 0.29-1.40
// ms, with more throughput for this one in every case; at 30 rows and concurrency 16, in four runs, undici added
// 1.23-1.89 ms at p50 and this one 0.85-1.22 ms (within the budget in three of the four). Node's `http.request` on a
// keep-alive agent cost more than either (a minimal node:http proxy adds 1.7-1.9 ms at concurrency 16), and
// http-parser-js parsing the answer instead of the parser below cost 15-20 µs more per request.
//
// What it implements is what a container's answer can be: a status line (1xx interim answers skipped), headers,
// then a body delimited by Content-Length, chunked transfer coding or the end of the connection. A socket is
// reused only after a complete HTTP/1.1 answer without `Connection: close`; it is dropped before the server's
// keep-alive timeout (its `Keep-Alive: timeout=` hint, or IDLE_MS) and, should a server close a reused socket
// anyway before answering a byte, the request is sent once more on a new connection.
import net from 'node:net';
import { UndiciUpstream } from './upstream-undici.js';

export interface UpstreamResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

/** An idle socket is used again only if it has been idle for less than this, unless the server says otherwise. */
export const IDLE_MS = 4_000;
/** As many idle sockets are kept per container (Node's global agent keeps 256). */
const MAX_IDLE = 256;
/** A response head larger than this is refused (Node's default --max-http-header-size is 16 KiB). */
const MAX_HEAD = 64 * 1024;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

interface Exchange {
  data: Buffer;
  done: Done;
  /** Set once a byte of the answer arrived: from then on a failure is not retried. */
  answered: boolean;
}

enum Body {
  Length,
  Chunked,
  UntilClose,
}

class Connection {
  readonly socket: net.Socket;
  /** The request in flight, if any. */
  exchange: Exchange | undefined;
  /** Requests completed on this socket: a request on a reused socket may be retried. */
  served = 0;
  idleSince = 0;
  /** How long the server keeps an idle socket open, less a margin, from its `Keep-Alive` header. */
  idleMs = IDLE_MS;
  private buffered: Buffer | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private mode = Body.Length;
  private remaining = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private inBody = false;
  private chunkTrailer = false;
  private reusable = true;

  constructor(
    readonly owner: Upstream,
    port: number,
    host: string,
    timeoutMs: number,
  ) {
    this.socket = net.connect({ port, host, noDelay: true });
    this.socket.setTimeout(timeoutMs);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('timeout', () => {
      // a request that timed out is not sent again: that would double the wait
      if (this.exchange) this.exchange.answered = true;
      this.socket.destroy(
        this.exchange ? new Error(`the model did not answer within ${timeoutMs / 1000} seconds`) : undefined,
      );
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => {
      this.fail(new Error('socket hang up'));
      owner.forget(this);
    });
  }

  send(exchange: Exchange): void {
    this.exchange = exchange;
    this.status = 0;
    this.headers = {};
    this.inBody = false;
    this.reusable = true;
    this.parts = [];
    this.size = 0;
    this.socket.write(exchange.data);
  }

  private onData(chunk: Buffer): void {
    const exchange = this.exchange;
    if (!exchange) {
      this.socket.destroy(); // bytes nobody asked for: the socket's state is unknown
      return;
    }
    exchange.answered = true;
    try {
      this.parse(chunk);
    } catch (error) {
      this.socket.destroy(error as Error);
    }
  }

  private parse(chunk: Buffer): void {
    let data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.buffered = undefined;
    while (!this.inBody) {
      const end = data.indexOf(CRLFCRLF);
      if (end < 0) {
        if (data.length > MAX_HEAD) throw new Error('the model answered a response head over 64 KiB');
        this.buffered = data;
        return;
      }
      this.head(data.toString('latin1', 0, end));
      data = data.subarray(end + 4);
    }
    switch (this.mode) {
      case Body.Length: {
        const take = Math.min(this.remaining, data.length);
        if (take) this.keep(data.subarray(0, take));
        this.remaining -= take;
        if (this.remaining === 0) this.complete(data.length - take);
        return;
      }
      case Body.UntilClose:
        if (data.length) this.keep(data);
        return;
      case Body.Chunked:
        this.chunked(data);
        return;
    }
  }

  /** Status line and headers; a 1xx is skipped, anything else sets how the body is delimited. */
  private head(text: string): void {
    // `HTTP/1.x NNN[ reason]`, read by position: the status line is on every answer's path
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
    const minor = statusLine.charCodeAt(7);
    const code = statusLine.slice(9, 12);
    if (
      !statusLine.startsWith('HTTP/1.') ||
      (minor !== 48 && minor !== 49) ||
      statusLine.charCodeAt(8) !== 32 ||
      !/^\d{3}$/.test(code) ||
      (statusLine.length > 12 && statusLine.charCodeAt(12) !== 32)
    ) {
      throw new Error(`the model answered no HTTP/1.x status line: ${statusLine.slice(0, 100)}`);
    }
    const status = Number(code);
    if (status >= 100 && status < 200) return; // 100 Continue, 103 Early Hints: the answer follows
    const headers: Record<string, string> = {};
    let start = lineEnd < 0 ? text.length : lineEnd + 2;
    while (start < text.length) {
      const end = text.indexOf('\r\n', start);
      const line = end < 0 ? text.slice(start) : text.slice(start, end);
      start = end < 0 ? text.length : end + 2;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`the model answered a malformed header line: ${line.slice(0, 100)}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const previous = headers[name];
      headers[name] = previous === undefined ? value : `${previous}, ${value}`;
    }
    this.status = status;
    this.headers = headers;
    this.inBody = true;
    const connection = headers.connection?.toLowerCase() ?? '';
    this.reusable = minor === 49 && !connection.includes('close');
    const keepAlive = /timeout=(\d+)/i.exec(headers['keep-alive'] ?? '');
    if (keepAlive) this.idleMs = Math.min(IDLE_MS, Number(keepAlive[1]) * 1000 - 1000);
    const length = headers['content-length'];
    if (status === 204 || status === 304) {
      this.mode = Body.Length;
      this.remaining = 0;
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      this.mode = Body.Chunked;
      this.remaining = -1;
      this.chunkTrailer = false;
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw new Error(`the model answered an invalid Content-Length: ${length}`);
      this.mode = Body.Length;
      this.remaining = Number(length);
    } else {
      this.mode = Body.UntilClose;
      this.reusable = false;
    }
  }

  /** Chunked transfer coding: `<hex size>[;ext]\r\n<data>\r\n` … `0\r\n[trailers]\r\n`. */
  private chunked(input: Buffer): void {
    let data = input;
    while (data.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.length);
        this.keep(data.subarray(0, take));
        this.remaining -= take;
        data = data.subarray(take);
        if (this.remaining === 0) this.remaining = -2; // the CRLF after the data
        continue;
      }
      const eol = data.indexOf(CRLF);
      if (eol < 0) {
        if (data.length > MAX_HEAD) throw new Error('the model answered a chunk line over 64 KiB');
        this.buffered = data;
        return;
      }
      const line = data.toString('latin1', 0, eol);
      data = data.subarray(eol + 2);
      if (this.remaining === -2) {
        if (line !== '') throw new Error('the model answered a chunk without its CRLF');
        this.remaining = -1;
      } else if (this.chunkTrailer) {
        if (line === '') {
          this.complete(data.length);
          return;
        }
      } else {
        const size = Number.parseInt(line.split(';')[0]?.trim() ?? '', 16);
        if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]/i.test(line)) {
          throw new Error(`the model answered an invalid chunk size: ${line.slice(0, 100)}`);
        }
        if (size === 0) this.chunkTrailer = true;
        else this.remaining = size;
      }
    }
  }

  private keep(part: Buffer): void {
    this.parts.push(part);
    this.size += part.length;
  }

  private complete(extra: number): void {
    const exchange = this.exchange as Exchange;
    this.exchange = undefined;
    const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.served += 1;
    if (this.reusable && extra === 0) this.owner.release(this);
    else this.socket.destroy();
    exchange.done(undefined, { status: this.status, headers: this.headers, body });
  }

  private onEnd(): void {
    if (this.exchange && this.inBody && this.mode === Body.UntilClose) this.complete(0);
    else this.socket.destroy();
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    if (!exchange) return;
    this.exchange = undefined;
    this.socket.destroy();
    this.owner.retryOrFail(exchange, this.served > 0, error);
  }
}

/** The kept-alive sockets to one container: `post` sends a request, `close` ends every socket at once. */
/** The headers of InvokeEndpoint a container sees. */
export interface InvokeHeaders {
  contentType: string;
  accept?: string;
  customAttributes?: string;
}

export type Done = (error: Error | undefined, response?: UpstreamResponse) => void;

/** A client from InvokeEndpoint to one container's `serve` port. */
export interface InvokeClient {
  /** Sockets open to the container, idle or busy. */
  readonly sockets: number;
  post(headers: InvokeHeaders, body: Buffer, callback: Done): void;
  close(): void;
}

export class Upstream implements InvokeClient {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  private closed = false;

  constructor(
    readonly port: number,
    readonly host = '127.0.0.1',
    readonly timeoutMs = 60_000,
  ) {}

  /** Sockets open to the container, idle or busy. */
  get sockets(): number {
    return this.open.size;
  }

  post(headers: InvokeHeaders, body: Buffer, callback: Done): void {
    // The request head as text, written with the body in one piece. Header values come from Node's parser, which
    // refuses CR and LF in them: nothing here can inject a header line.
    let head = `POST /invocations HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: ${headers.contentType}\r\nContent-Length: ${body.length}\r\n`;
    if (headers.accept) head += `Accept: ${headers.accept}\r\n`;
    if (headers.customAttributes)
      head += `X-Amzn-SageMaker-Custom-Attributes: ${headers.customAttributes}\r\n`;
    this.postRaw(head, body, callback);
  }

  /** `head`: the request line and header lines, each ending in CRLF, without the final empty line. */
  postRaw(head: string, body: Buffer, callback: Done): void {
    if (this.closed) {
      callback(new Error('the endpoint is no longer served'));
      return;
    }
    const headLength = Buffer.byteLength(head, 'latin1');
    const data = Buffer.allocUnsafe(headLength + 2 + body.length);
    data.write(head, 0, headLength, 'latin1');
    data[headLength] = 13;
    data[headLength + 1] = 10;
    body.copy(data, headLength + 2);
    this.dispatch({ data, done: callback, answered: false }, false);
  }

  private dispatch(exchange: Exchange, fresh: boolean): void {
    let connection: Connection | undefined;
    if (!fresh) {
      const now = Date.now();
      for (let candidate = this.idle.pop(); candidate; candidate = this.idle.pop()) {
        if (now - candidate.idleSince < candidate.idleMs && !candidate.socket.destroyed) {
          connection = candidate;
          break;
        }
        candidate.socket.destroy();
      }
    }
    if (connection) connection.socket.ref();
    else {
      connection = new Connection(this, this.port, this.host, this.timeoutMs);
      this.open.add(connection);
    }
    connection.send(exchange);
  }

  /** @internal A socket that answered completely and may serve the next request. */
  release(connection: Connection): void {
    if (this.closed || this.idle.length >= MAX_IDLE) {
      connection.socket.destroy();
      return;
    }
    connection.idleSince = Date.now();
    connection.socket.unref(); // an idle socket does not hold the process open, as with Node's agent
    this.idle.push(connection);
  }

  /** @internal */
  forget(connection: Connection): void {
    this.open.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
  }

  /** @internal A reused socket the server closed before answering a byte: the request goes once more, afresh. */
  retryOrFail(exchange: Exchange, reused: boolean, error: Error): void {
    if (reused && !exchange.answered && !this.closed) this.dispatch(exchange, true);
    else exchange.done(error);
  }

  /** Ends every socket; a request in flight fails. */
  close(): void {
    this.closed = true;
    this.idle.length = 0;
    for (const connection of [...this.open]) connection.socket.destroy();
  }
}

/**
 * The clients InvokeEndpoint can reach a container with: `built-in`, the one above, or `undici`'s Pool
 * (upstream-undici.ts). `pnpm bench` measures both in the same rounds (bench/RESULTS.md).
 */
export const INVOKE_CLIENTS = ['built-in', 'undici'] as const;
export type InvokeClientKind = (typeof INVOKE_CLIENTS)[number];

export const createInvokeClient = (kind: InvokeClientKind, port: number): InvokeClient =>
  kind === 'undici' ? new UndiciUpstream(port) : new Upstream(port);
