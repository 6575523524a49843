import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadConfig } from '../../src/config/load-config.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { ResumableMcpServer } from '../support/resumable-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { json } from '../support/http.js';
import { postJsonRpc, registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/** Nothing in this file may hang: every raw request gives up after this, and the test fails instead. */
const NEVER_HANGS = { signal: () => AbortSignal.timeout(10_000) };

const INITIALIZE = {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'capacity-e2e', version: '1.0.0' },
};

/**
 * Capacity of the transparent proxy: listening streams hold upstream connections of their own, so idle sessions never
 * starve the requests of other users; past the per-upstream stream ceiling callers hear UPSTREAM_BUSY at once; a
 * request waiting for a connection gives up at its deadline. Small pools set by configuration make the limits reachable.
 */
describe('MCP proxy capacity (e2e)', () => {
  let gateway: GatewayApp;
  let everything: EverythingServer;
  const clients: Client[] = [];
  const streams: AbortController[] = [];

  beforeAll(async () => {
    everything = await new EverythingServer().start();
    gateway = await startRegistryGateway({
      MREG_PROXY_UPSTREAM_CONNECTIONS: '2',
      MREG_PROXY_UPSTREAM_MAX_STREAMS: '3',
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.abort();
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await gateway?.stop();
    await everything?.stop();
  });

  const proxyUrl = (id: string) => `${gateway.url}/servers/${id}/mcp`;

  async function setUp(body: Record<string, unknown> = {}) {
    const tenant = uniqueTenant();
    const id = await registerAs(gateway, tenant, { name: 'everything', url: everything.url, ...body });
    const token = await localToken(gateway, { tenant, user: 'ida', resource: proxyUrl(id) });
    return { id, token };
  }

  /** initialize + initialized by hand; returns the session id. */
  async function openSession(id: string, token: string): Promise<string> {
    const initialized = await postJsonRpc(proxyUrl(id), token, 'initialize', INITIALIZE, {
      signal: NEVER_HANGS.signal(),
    });
    expect(initialized.status).toBe(200);
    await initialized.text();
    const session = initialized.headers.get('mcp-session-id')!;
    const notified = await fetch(proxyUrl(id), {
      method: 'POST',
      signal: NEVER_HANGS.signal(),
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(notified.status).toBe(202);
    return session;
  }

  /** Opens the session's listening stream and keeps it open (until the test ends or `close` is called). */
  async function listen(id: string, token: string, session: string) {
    const controller = new AbortController();
    streams.push(controller);
    // Headers must come within the no-hang limit; the stream itself then stays open as long as the test wants.
    const hung = setTimeout(() => controller.abort(new Error('the stream did not answer')), 10_000);
    const response = await fetch(proxyUrl(id), {
      method: 'GET',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
      },
    }).finally(() => clearTimeout(hung));
    return { response, close: () => controller.abort() };
  }

  async function connect(id: string, token: string): Promise<Client> {
    const client = new Client({ name: 'capacity-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(proxyUrl(id)), {
        authProvider: { token: () => Promise.resolve(token) },
      }),
    );
    clients.push(client);
    return client;
  }

  it('keeps serving new sessions while idle streams outnumber the request connections, and refuses the stream past the ceiling at once', async () => {
    const { id, token } = await setUp();
    const held = [];
    // Three idle sessions, each holding its listening stream: more than the two request connections.
    for (let i = 0; i < 3; i++) {
      const session = await openSession(id, token);
      const stream = await listen(id, token, session);
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
      held.push(stream);
    }

    // A new session on the same upstream still opens and works.
    const client = await connect(id, token);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still here' }]);

    // The fourth listening stream is past the ceiling: an immediate 503 that says what to do.
    const session = await openSession(id, token);
    const refused = await listen(id, token, session);
    expect(refused.response.status).toBe(503);
    expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await json(refused.response)).error).toMatchObject({
      message: expect.stringContaining('MREG_PROXY_UPSTREAM_MAX_STREAMS'),
      data: { code: 'UPSTREAM_BUSY', statusCode: 503 },
    });

    // A stream that ends frees its place.
    held[0].close();
    let reopened: Awaited<ReturnType<typeof listen>> | undefined;
    for (let attempt = 0; attempt < 50 && reopened?.response.status !== 200; attempt++) {
      await reopened?.response.body?.cancel().catch(() => undefined);
      reopened = await listen(id, token, session);
      if (reopened.response.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(reopened?.response.status).toBe(200);
  });

  it('bounds a request waiting for a busy request pool by its deadline', async () => {
    const { id, token } = await setUp({
      timeouts: { requestMs: 1000, tools: { 'trigger-long-running-operation': 20_000 } },
    });
    const client = await connect(id, token);
    // Both request connections are taken by long calls (their SSE answers stream for 4 s).
    const long = [1, 2].map(() =>
      client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 4, steps: 4 } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // This one waits for a connection and gives up at its 1 s deadline, with a clear error and no hang.
    const waiting = await postJsonRpc(proxyUrl(id), token, 'ping', undefined, {
      signal: NEVER_HANGS.signal(),
    });
    expect(waiting.status).toBe(504);
    expect((await json(waiting)).error.data.code).toBe('UPSTREAM_TIMEOUT');
    for (const call of await Promise.all(long)) expect(call.isError).toBeFalsy();
  });
});

/** Default limits: an IDE that opens 20 servers' sessions at once, each calling a tool, is never throttled. */
describe('MCP proxy default limits (e2e)', () => {
  let gateway: GatewayApp;
  let everything: EverythingServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    everything = await new EverythingServer().start();
    // The test configuration raises the burst allowance for specs in general; this one keeps every default.
    gateway = await startRegistryGateway({ MREG_RATE_LIMIT_BURST_FACTOR: undefined });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await gateway?.stop();
    await everything?.stop();
  });

  it('lets a user open 20 sessions to one server within a second, each calling one tool, with no refusal', async () => {
    expect(gateway.config.rateLimit.burstFactor).toBe(
      loadConfig({}, { dotenvDir: false }).config.rateLimit.burstFactor,
    );
    const tenant = uniqueTenant();
    const id = await registerAs(gateway, tenant, { name: 'ide', url: everything.url });
    const url = `${gateway.url}/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, user: 'dev', roles: ['user'], resource: url });
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = new Client({ name: `ide-${i}`, version: '1.0.0' });
        const errors: unknown[] = [];
        client.onerror = (error) => errors.push(error);
        await client.connect(
          new StreamableHTTPClientTransport(new URL(url), {
            authProvider: { token: () => Promise.resolve(token) },
          }),
        );
        clients.push(client);
        const result = await client.callTool({ name: 'echo', arguments: { message: `s${i}` } });
        return { result, errors };
      }),
    );
    results.forEach(({ result, errors }, i) => {
      expect(result.content).toEqual([{ type: 'text', text: `Echo: s${i}` }]);
      // Not even the listening streams were refused.
      expect(errors).toEqual([]);
    });
  });
});

/** One upstream URL registered by two tenants: one tenant's sessions cannot take every stream from the other. */
describe('MCP proxy stream share per tenant (e2e)', () => {
  let gateway: GatewayApp;
  let upstream: ResumableMcpServer;
  const streams: AbortController[] = [];

  beforeAll(async () => {
    upstream = await new ResumableMcpServer().start();
    gateway = await startRegistryGateway({
      MREG_PROXY_UPSTREAM_MAX_STREAMS: '4',
      MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT: '2',
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.abort();
    await gateway?.stop();
    await upstream?.stop();
  });

  /** A session of its own with its listening stream open; resolves with the stream's response. */
  async function listenAs(tenant: string, id: string): Promise<Response> {
    const url = `${gateway.url}/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, user: 'sam', resource: url });
    const init = await postJsonRpc(url, token, 'initialize', INITIALIZE);
    await init.text();
    const controller = new AbortController();
    streams.push(controller);
    return fetch(url, {
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'mcp-session-id': init.headers.get('mcp-session-id')!,
        'mcp-protocol-version': '2025-11-25',
      },
    });
  }

  it("refuses a tenant past its share with UPSTREAM_BUSY, and still serves another tenant's streams", async () => {
    const [greedy, other] = [uniqueTenant(), uniqueTenant()];
    const greedyServer = await registerAs(gateway, greedy, { name: 'shared', url: upstream.url });
    const otherServer = await registerAs(gateway, other, { name: 'shared', url: upstream.url });
    for (let i = 0; i < 2; i++) expect((await listenAs(greedy, greedyServer)).status).toBe(200);
    const refused = await listenAs(greedy, greedyServer);
    expect(refused.status).toBe(503);
    expect((await json(refused)).error).toMatchObject({
      message: expect.stringContaining('MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT'),
      data: { code: 'UPSTREAM_BUSY' },
    });
    expect((await listenAs(other, otherServer)).status).toBe(200);
  });
});
