import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken, startGateway } from '../support/gateway.js';
import { registerAs, rest, uniqueTenant } from '../support/registry.js';

/**
 * A gateway on PostgreSQL without MREG_ENCRYPTION_KEY (a developer's first try against a real database): the proxy
 * works, its session ids sealed with the data directory's key, while storing an upstream secret is still refused
 * with a message that names the setting.
 */
describe('the proxy on PostgreSQL without an encryption key (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let client: Client | undefined;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startGateway({
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await gateway?.stop();
    await fixture?.stop();
  });

  it('opens sessions and calls tools through /servers/{id}/mcp, and refuses only to store a secret', async () => {
    expect(gateway.config.encryptionKey).toBeUndefined();
    expect(gateway.config.database.kind).toBe('postgres');
    const tenant = uniqueTenant();
    const id = await registerAs(gateway, tenant, { name: 'fixture', url: fixture.url });
    const url = `${gateway.url}/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, resource: url });
    client = new Client({ name: 'no-key', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        authProvider: { token: () => Promise.resolve(token) },
      }),
    );
    expect((await client.callTool({ name: 'echo', arguments: { text: 'k' } })).content).toEqual([
      { type: 'text', text: 'echo:k' },
    ]);

    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const secret = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'with-secret',
      url: fixture.url,
      upstreamAuth: { type: 'static', headerName: 'X-Api-Key', value: 's3cret' },
    });
    expect(secret.status).toBe(422);
    expect(secret.body).toMatchObject({
      code: 'ENCRYPTION_KEY_REQUIRED',
      message: expect.stringContaining('MREG_ENCRYPTION_KEY'),
    });
  });
});
