import { Writable } from 'node:stream';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { createLogger } from '../../src/common/logging/logger.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { call, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * Header values of a server's registration, import or upstream auth are credentials whatever the header is called:
 * none reaches an audit row (JSON or CSV), a log line or an error body, while the upstream still receives them.
 */
describe('secrets never reach the audit trail, the logs or error bodies (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  const lines: string[] = [];

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    gateway = await startRegistryGateway({}, { logger: createLogger('debug', sink) });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  it('imports and registers servers with unusual secret header names without storing or showing the values', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    const secrets = ['S3CRET-OCP', 'S3CRET-XAUTH', 'S3CRET-PATCH', 'S3CRET-BAD', 'S3CRET-DOWN'];
    const bodies: unknown[] = [];
    const send = async (method: string, path: string, body?: unknown) => {
      const answer = await rest(gateway, admin, method, path, body);
      bodies.push(answer.body);
      return answer;
    };

    const imported = await send('POST', '/api/v1/servers/import', {
      name: 'io.example/weather',
      description: 'Weather',
      version: '1.0.0',
      remotes: [
        {
          type: 'streamable-http',
          url: fixture.url,
          headers: [{ name: 'Ocp-Apim-Subscription-Key', value: 'S3CRET-OCP', isSecret: true }],
        },
      ],
    });
    expect(imported.status).toBe(201);
    const registered = await send('POST', '/api/v1/servers', {
      name: 'x-auth',
      url: fixture.url,
      upstreamAuth: { type: 'static', headerName: 'X-Auth-Key', value: 'S3CRET-XAUTH' },
    });
    expect(registered.status).toBe(201);
    const patched = await send('PATCH', `/api/v1/servers/${registered.body.server.id}`, {
      upstreamAuth: { type: 'static', headerName: 'X-Tenant-Pass', value: 'S3CRET-PATCH' },
    });
    expect(patched.status).toBe(200);
    // Refused before and after validation: the error bodies, and their audit rows, hold no value either.
    const invalid = await send('POST', '/api/v1/servers/import?name=bad', {
      name: 'io.example/bad',
      description: 'Bad',
      version: '1.0.0',
      remotes: [
        { type: 'streamable-http', url: fixture.url, headers: [{ name: 'X Bad', value: 'S3CRET-BAD' }] },
      ],
    });
    expect(invalid.status).toBe(400);
    const down = await send('POST', '/api/v1/servers', {
      name: 'down',
      url: 'http://127.0.0.1:9/mcp',
      upstreamAuth: { type: 'static', headerName: 'Subscription', value: 'S3CRET-DOWN' },
    });
    expect(down.status).toBe(502);

    // The credentials did reach the upstream: they were sealed, not lost.
    const sentHeaders = fixture.headers.map((headers) => JSON.stringify(headers)).join('\n');
    expect(sentHeaders).toContain('S3CRET-OCP');
    expect(sentHeaders).toContain('S3CRET-XAUTH');

    await gateway.app.get(AuditWriter).flush();
    const auditJson = await (await call(gateway, '/api/v1/audit?limit=1000', admin)).text();
    const auditCsv = await (await call(gateway, '/api/v1/audit?limit=1000&format=csv', admin)).text();
    expect(JSON.parse(auditJson).events.length).toBeGreaterThanOrEqual(5);
    expect(auditCsv.trim().split('\r\n').length).toBeGreaterThanOrEqual(6);
    const seen = { errorBodies: JSON.stringify(bodies), auditJson, auditCsv, logs: lines.join('') };
    for (const [where, text] of Object.entries(seen)) {
      for (const secret of secrets)
        expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
  });
});
