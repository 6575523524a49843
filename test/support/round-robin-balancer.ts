import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP load balancer for multi-replica tests: every request goes to the next backend in turn, whatever
 * connection it came on (streams included), like an ordinary L7 balancer with no session affinity.
 */
export class RoundRobinBalancer {
  backends: string[] = [];
  /** Requests sent to each backend, by index. */
  readonly hits: number[] = [];
  private next = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const index = this.next++ % this.backends.length;
      this.hits[index] = (this.hits[index] ?? 0) + 1;
      const target = new URL(this.backends[index]);
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
