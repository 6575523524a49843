import { decodeJwt } from 'jose';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { ENTRA_CLIENT_ID, ENTRA_TID, startEntraGateway } from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { connectMcpClient } from '../support/gateway.js';
import { postJsonRpc, rest } from '../support/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Entra on-behalf-of upstream credentials: the upstream sees the user through an OBO token, never the user's own. */
describe('proxy with Entra on-behalf-of upstream credentials (e2e)', () => {
  let entra: FakeEntra;
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  // Its own database: the Entra tenant key is shared with other specs, so their servers stay out of this one's.
  let database: TestDatabase;

  beforeAll(async () => {
    entra = await FakeEntra.start(ENTRA_CLIENT_ID);
    fixture = await new FixtureMcpServer().start();
    database = await createTestDatabase('obo');
    gateway = await startEntraGateway(entra, {
      MREG_DATABASE_URL: database.url,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
    await entra?.stop();
    await database?.drop();
  });

  it('exchanges the caller token for an upstream token, and returns a Conditional Access challenge as 401', async () => {
    const admin = await entra.token({ tid: ENTRA_TID, roles: ['Gateway.Admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'inventory',
      url: fixture.url,
      upstreamAuth: { type: 'entra_obo', scope: 'api://inventory/.default' },
    });
    expect(created.status).toBe(201);
    // Discovery cannot act as a user: the server is registered without a snapshot and proxied unfiltered.
    expect(created.body.discovered).toBeNull();
    const id = created.body.server.id as string;

    const userToken = await entra.token({
      tid: ENTRA_TID,
      roles: ['Gateway.User'],
      oid: 'a1b2c3d4-0000-4000-8000-000000000001',
    });
    const client = await connectMcpClient(gateway, userToken, `/servers/${id}/mcp`);
    try {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'obo' } });
      expect(result.content).toEqual([{ type: 'text', text: 'echo:obo' }]);
    } finally {
      await client.close();
    }
    const presented = fixture.authorizations.filter(Boolean) as string[];
    expect(presented.length).toBeGreaterThan(0);
    for (const header of presented) {
      const token = header.replace(/^Bearer /, '');
      expect(token).not.toBe(userToken);
      expect(decodeJwt(token)).toMatchObject({
        aud: 'api://inventory',
        oid: 'a1b2c3d4-0000-4000-8000-000000000001',
      });
    }

    entra.oboClaimsChallenge = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    try {
      const otherUser = await entra.token({ tid: ENTRA_TID, roles: ['Gateway.User'] });
      const challenged = await postJsonRpc(`${gateway.url}/servers/${id}/mcp`, otherUser, 'ping');
      expect(challenged.status).toBe(401);
      const header = challenged.headers.get('www-authenticate') ?? '';
      expect(header).toMatch(/error="insufficient_claims"/);
      const claims = /claims="([^"]+)"/.exec(header)?.[1] ?? '';
      expect(Buffer.from(claims, 'base64').toString()).toBe(entra.oboClaimsChallenge);
    } finally {
      entra.oboClaimsChallenge = undefined;
    }
  });
});
