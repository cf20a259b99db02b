// Talking to the stack below the SDKs: raw bytes on a socket (node:net) and bare HTTP requests (node:http),
// each bounded in time, returning what came back (if anything) and how long it took.
import http from 'node:http';
import net from 'node:net';

export interface Answer {
  /** HTTP status of the answer; undefined when none came (the connection closed, or the bound expired). */
  status?: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
  /** Why no answer came: 'closed', 'timeout' or a socket error code. */
  noAnswer?: string;
}

const parseHead = (head: string): { status?: number; headers: Record<string, string> } => {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { ...(status ? { status: Number(status) } : {}), headers };
};

/**
 * Writes `chunks` on a fresh connection (then half-closes it unless `keepOpen`) and reads until one full
 * response has arrived, the server closes, or `timeoutMs` expires.
 */
export function rawExchange(
  port: number,
  chunks: (string | Buffer)[],
  { keepOpen = false, timeoutMs = 5_000 }: { keepOpen?: boolean; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const started = Date.now();
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (noAnswer?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const { status, headers } = parseHead(split >= 0 ? text.slice(0, split) : text);
      resolve({
        ...(status !== undefined ? { status } : {}),
        headers,
        body: split >= 0 ? text.slice(split + 4) : '',
        ms: Date.now() - started,
        ...(status === undefined ? { noAnswer: noAnswer ?? 'closed' } : {}),
      });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (!keepOpen) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const { headers } = parseHead(text.slice(0, split));
      const length = Number(headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(length) && received.length - (split + 4) >= length) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
  });
}

/** One HTTP request on a fresh connection, bounded by `timeoutMs`. */
export function httpExchange(
  port: number,
  request: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
  timeoutMs = 5_000,
): Promise<Answer> {
  return new Promise((resolve) => {
    const started = Date.now();
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: Date.now() - started });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method ?? 'POST',
        path: request.path ?? '/',
        headers: request.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', () =>
          done({ status: res.statusCode ?? 0, headers: {}, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ headers: {}, body: '', noAnswer: 'timeout' });
    }, timeoutMs);
    // The server may answer (413, say) before it has read the whole body: the write error is expected then
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ headers: {}, body: '', noAnswer: error.code ?? 'error' }),
    );
    req.end(request.body);
  });
}

/** True when an answer carries an AWS error: JSON `__type` (+ `x-amzn-errortype`) or S3's XML `<Error><Code>`. */
export function isAwsError(answer: Answer): boolean {
  if (answer.status === undefined || answer.status < 400) return false;
  if (/<Error>\s*<Code>[^<]+<\/Code>/.test(answer.body)) return true;
  try {
    const body = JSON.parse(answer.body) as { __type?: unknown };
    return typeof body.__type === 'string' && Boolean(answer.headers['x-amzn-errortype']);
  } catch {
    return false;
  }
}
