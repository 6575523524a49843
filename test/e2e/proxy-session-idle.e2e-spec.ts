import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

const PUBLIC_URL = 'http://gateway.test';
const IDLE_MS = 600;

/** MREG_PROXY_SESSION_IDLE_MS: an idle proxy session answers 404, in one process and across replicas through Redis. */
describe('proxy session idle limit (e2e)', () => {
  let fixture: FixtureMcpServer;
  const gateways: GatewayApp[] = [];

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await fixture?.stop();
  });

  async function start(redis: boolean): Promise<GatewayApp> {
    const gateway = await startRegistryGateway({
      MREG_PUBLIC_URL: PUBLIC_URL,
      MREG_PROXY_SESSION_IDLE_MS: String(IDLE_MS),
      ...(redis ? { MREG_REDIS_URL: 'redis://127.0.0.1:6379' } : {}),
    });
    gateways.push(gateway);
    return gateway;
  }

  async function session(gateway: GatewayApp) {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'], resource: PUBLIC_URL });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
    });
    const path = `/servers/${created.body.server.id as string}/mcp`;
    const token = await localToken(gateway, { tenant, roles: ['user'], resource: `${PUBLIC_URL}${path}` });
    const post = (target: GatewayApp, body: object, sessionId?: string) =>
      fetch(`${target.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        },
        body: JSON.stringify(body),
      });
    const init = await post(gateway, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'idle-e2e', version: '1' },
      },
    });
    expect(init.status).toBe(200);
    await init.text();
    const sessionId = init.headers.get('mcp-session-id')!;
    const ping = async (target: GatewayApp) => {
      const response = await post(target, { jsonrpc: '2.0', id: 1, method: 'ping' }, sessionId);
      const text = await response.text();
      return { status: response.status, text };
    };
    return { ping };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('expires a session left idle in one process, and keeps one in use alive', async () => {
    const gateway = await start(false);
    const { ping } = await session(gateway);
    for (let i = 0; i < 4; i++) {
      await sleep(IDLE_MS / 3);
      expect((await ping(gateway)).status).toBe(200);
    }
    await sleep(IDLE_MS * 2);
    const expired = await ping(gateway);
    expect(expired.status).toBe(404);
    expect(expired.text).toContain('SESSION_NOT_FOUND');
  });

  it('agrees across replicas through Redis: used on one, idle on the other', async () => {
    const [a, b] = [await start(true), await start(true)];
    const { ping } = await session(a);
    await sleep(IDLE_MS / 3);
    expect((await ping(b)).status).toBe(200);
    await sleep(IDLE_MS / 3);
    expect((await ping(a)).status).toBe(200);
    await sleep(IDLE_MS * 2);
    expect((await ping(b)).status).toBe(404);
  });
});
