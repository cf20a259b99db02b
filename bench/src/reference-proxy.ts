/**
 * The floor of any proxy: a minimal Node reverse proxy (one keep-alive hop, body piped both ways, no parsing,
 * no routing, no error mapping) in the same process as the stack, in front of the same `serve` process. The
 * throughput section measures it beside the stack so the report shows how much of the stack's cost is the
 * extra hop itself, which no proxy avoids, and how much is the stack's own work.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReferenceProxy {
  url: string;
  close(): Promise<void>;
}

export async function startReferenceProxy(targetPort: number): Promise<ReferenceProxy> {
  // Idle sockets are closed after 4 s, before `serve` closes them (Node's server keeps them 5 s): a socket
  // reused as the server closes it fails the request (`socket hang up`), seen between two rounds.
  const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: targetPort,
        path: '/invocations',
        method: 'POST',
        agent,
        headers: {
          'content-type': String(req.headers['content-type']),
          accept: String(req.headers.accept),
          'content-length': String(req.headers['content-length']),
        },
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, {
          'content-type': String(response.headers['content-type']),
          'content-length': String(response.headers['content-length']),
        });
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/invocations`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
