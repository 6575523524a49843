import { Writable } from 'node:stream';
import { createLogger } from '../../src/common/logging/logger.js';
import { localOid } from '../../src/auth/oauth/dev-sign-in.js';
import { localToken, startGateway } from '../support/gateway.js';
import { postJsonRpc, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

describe('request logs', () => {
  it('log one JSON line per request with method, path, status, duration and correlation id, and no secrets', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const gateway = await startGateway({}, { logger: createLogger('info', sink) });
    try {
      const res = await fetch(new URL('/api/v1/no-such-route?access_token=query-secret', gateway.url), {
        headers: {
          authorization: 'Bearer header-secret',
          cookie: 'session=cookie-secret',
          'x-request-id': 'log-test-1',
        },
      });
      expect(res.status).toBe(404);
      await fetch(new URL('/health', gateway.url));
    } finally {
      await gateway.stop();
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const request = entries.find((entry) => entry.correlationId === 'log-test-1' && entry.req);
    expect(request).toMatchObject({
      level: 'warn',
      req: { method: 'GET', path: '/api/v1/no-such-route' },
      res: { statusCode: 404 },
      durationMs: expect.any(Number),
      correlationId: 'log-test-1',
    });
    const everything = lines.join('\n');
    expect(everything).not.toMatch(/query-secret|header-secret|cookie-secret/);
    // Successful probes are not logged.
    expect(entries.some((entry) => (entry.req as { path?: string } | undefined)?.path === '/health')).toBe(
      false,
    );
  });

  it('carry the tenant, the principal and, on the proxy, the server and tool on the request line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const gateway = await startRegistryGateway({}, { logger: createLogger('info', sink) });
    const tenant = uniqueTenant();
    try {
      const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name: 'gone',
        url: 'http://127.0.0.1:9/mcp',
        discover: false,
      });
      const id = created.body.server.id as string;
      const resource = `${gateway.url}/servers/${id}/mcp`;
      const token = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'], resource });
      const response = await postJsonRpc(
        resource,
        token,
        'tools/call',
        { name: 'echo', arguments: {} },
        {
          headers: { 'x-request-id': 'log-test-proxy' },
        },
      );
      expect(response.status).toBe(502);
    } finally {
      await gateway.stop();
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const proxied = entries.find((entry) => entry.correlationId === 'log-test-proxy' && entry.req);
    expect(proxied).toMatchObject({
      tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      principalOid: localOid(tenant, 'ada'),
      serverId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tool: 'echo',
    });
  });
});
