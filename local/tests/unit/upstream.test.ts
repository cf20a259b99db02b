import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Upstream, type UpstreamResponse } from '../../src/sagemaker/upstream.js';

const HEAD = 'POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n';

function post(upstream: Upstream, body: string): Promise<UpstreamResponse> {
  const data = Buffer.from(body);
  return new Promise((resolve, reject) => {
    upstream.postRaw(`${HEAD}Content-Length: ${data.length}\r\n`, data, (error, response) =>
      error || !response ? reject(error) : resolve(response),
    );
  });
}

/** A raw TCP server answering each request with `answer(request, index)`, written as given. */
async function rawServer(
  answer: (request: string, index: number, socket: net.Socket) => void,
): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let index = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      const request = text;
      text = '';
      answer(request, index++, socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Class: Upstream (the client from InvokeEndpoint to a container)', () => {
  it('sends the request in one piece and reuses the kept-alive socket', async () => {
    // Arrange
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-amzn-sagemaker-custom-attributes': 'a=1',
        });
        res.end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let connections = 0;
    server.on('connection', () => {
      connections += 1;
    });
    const upstream = new Upstream((server.address() as AddressInfo).port);

    // Act
    const first = await post(upstream, '1,2,3');
    const second = await post(upstream, '4,5');
    upstream.close();
    server.close();

    // Assess
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-amzn-sagemaker-custom-attributes']).toBe('a=1');
    expect(JSON.parse(first.body.toString())).toEqual({ echo: '1,2,3' });
    expect(JSON.parse(second.body.toString())).toEqual({ echo: '4,5' });
    expect(seen).toEqual(['POST /invocations text/csv 1,2,3', 'POST /invocations text/csv 4,5']);
    expect(connections).toBe(1);
  });

  it('reads chunked, close-delimited and byte-by-byte answers, skipping a 100 Continue', async () => {
    // Arrange
    const answers = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\ncontent-length: 4\r\n\r\ndown',
      'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end',
    ];
    const server = await rawServer((_request, index, socket) => {
      const answer = answers[index] as string;
      if (index === 2) {
        // one byte at a time: every boundary of the parser is crossed
        for (const byte of Buffer.from(answer)) socket.write(Buffer.from([byte]));
      } else if (index === 3) socket.end(answer);
      else socket.write(answer);
    });
    const upstream = new Upstream(server.port);

    // Act
    const results = [];
    for (let index = 0; index < answers.length; index += 1) results.push(await post(upstream, 'x'));
    upstream.close();
    await server.close();

    // Assess
    expect(results.map((r) => [r.status, r.body.toString()])).toEqual([
      [200, 'hello'],
      [200, 'abc0123456789'],
      [503, 'down'],
      [200, 'until the end'],
    ]);
    expect(results[2]?.headers['content-type']).toBe('text/plain');
    expect(server.connections()).toBe(1);
  });

  it('sends once more on a new socket when the server closed a reused one before answering', async () => {
    // Arrange: the second request's socket is closed unanswered, as a server whose keep-alive ran out does
    const server = await rawServer((_request, index, socket) => {
      if (index === 1) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const upstream = new Upstream(server.port);

    // Act
    const first = await post(upstream, 'a');
    const second = await post(upstream, 'b');
    upstream.close();
    await server.close();

    // Assess
    expect([first.body.toString(), second.body.toString()]).toEqual(['ok', 'ok']);
    expect(server.connections()).toBe(2);
  });

  it('fails, without a retry, when a fresh socket is refused, cut off or answers garbage', async () => {
    // Arrange
    const free = await rawServer(() => {});
    const refusedPort = free.port;
    await free.close();
    const cut = await rawServer((_request, _index, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'),
    );
    const garbage = await rawServer((_request, _index, socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    const upstreams = [new Upstream(refusedPort), new Upstream(cut.port), new Upstream(garbage.port)];

    // Act
    const errors = await Promise.all(
      upstreams.map((upstream) => post(upstream, 'x').catch((error: Error) => error.message)),
    );
    for (const upstream of upstreams) upstream.close();
    await Promise.all([cut.close(), garbage.close()]);

    // Assess
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    expect(errors[1]).toBe('socket hang up');
    expect(errors[2]).toMatch(/no HTTP\/1.x status line/);
    expect(cut.connections()).toBe(1);
  });

  it('times out a model that does not answer, and close() ends every socket at once', async () => {
    // Arrange
    const server = await rawServer(() => {});
    const slow = new Upstream(server.port, '127.0.0.1', 200);
    const hanging = new Upstream(server.port);

    // Act
    const timedOut = await post(slow, 'x').catch((error: Error) => error.message);
    const pending = post(hanging, 'y').catch((error: Error) => error.message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const open = hanging.sockets;
    hanging.close();
    const closed = await pending;
    const afterClose = await post(hanging, 'z').catch((error: Error) => error.message);
    await server.close();

    // Assess
    expect(timedOut).toBe('the model did not answer within 0.2 seconds');
    expect(server.connections()).toBe(2); // the timed-out request was not sent again
    expect(open).toBe(1);
    expect(closed).toBe('socket hang up');
    expect(hanging.sockets).toBe(0);
    expect(afterClose).toBe('the endpoint is no longer served');
  });
});
