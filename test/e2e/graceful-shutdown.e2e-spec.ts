import { request, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/common/logging/logger.js';
import { LifecycleState } from '../../src/observability/lifecycle-state.js';
import { localToken, startGateway } from '../support/gateway.js';

const waitForConnection = async (server: Server): Promise<void> => {
  for (;;) {
    const count = await new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
    if (count > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const waitFor = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('graceful shutdown', () => {
  it('lets an in-flight request finish while it drains, then stops', async () => {
    const warnings: string[] = [];
    const logger = createLogger(
      'warn',
      new Writable({ write: (chunk: Buffer, _e, done) => (warnings.push(chunk.toString()), done()) }),
    );
    const gateway = await startGateway({ MREG_SHUTDOWN_TIMEOUT_MS: '10000' }, { logger });
    const token = await localToken(gateway);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    const half = Math.floor(body.length / 2);

    // A request whose body is still arriving when shutdown begins: it is in flight from the server's point of view.
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        new URL('/mcp', gateway.url),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-06-18',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half));
      const lifecycle = gateway.app.get(LifecycleState);
      // Shut down only once the server has accepted the connection and the request is being read.
      void waitForConnection(gateway.app.getHttpServer() as Server)
        .then(() => {
          void gateway.stop('test');
          return waitFor(() => lifecycle.isDraining);
        })
        .then(() => req.end(body.slice(half)));
    });

    const { status, text } = await response;
    expect(status).toBe(200);
    expect(text).toContain('gateway_info');
    // The keep-alive connection that carried the request must not hold the drain open until the 10 s timeout.
    const started = Date.now();
    await gateway.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(warnings).not.toContainEqual(expect.stringMatching(/outlived the shutdown timeout/));
  });
});
