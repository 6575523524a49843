import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import { RegistryCache } from '../../src/registry/registry-cache.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { uniqueTenant } from '../support/registry.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { runDatabaseUrl } from '../support/test-config.js';

/**
 * The registry cache's change listener on the real PostgreSQL, with replica A's listener connection running through
 * a relay the test can cut or silently stall (as a load balancer dropping an idle connection does), and replica B
 * listening directly. Both read and NOTIFY over an ordinary pool.
 */
describe('registry cache listener on the real PostgreSQL', () => {
  let db: DataSource;
  let relay: TcpRelay;
  let a: RegistryCache;
  let b: RegistryCache;
  let serverId: string;

  const cacheListeningOn = (url: string) =>
    new RegistryCache({ database: { url } } as unknown as AppConfig, new RegistryRepository(db));

  async function setTitle(title: string): Promise<void> {
    await db.query(`UPDATE mcp_servers SET title = $2 WHERE id = $1`, [serverId, title]);
  }

  async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeEach(async () => {
    db = createDataSource({ target: { url: runDatabaseUrl() }, poolSize: 4 });
    await db.initialize();
    const [tenant] = await db.query<{ id: string }[]>(
      `INSERT INTO tenants (entra_tenant_id, name) VALUES ($1, $1) RETURNING id`,
      [uniqueTenant('cache')],
    );
    serverId = randomUUID();
    await db.query(
      `INSERT INTO mcp_servers (id, tenant_id, name, title, endpoints, transport, owner_oid, next_check_at)
       VALUES ($1, $2, 'cached', 'v1', '[]', 'streamable-http', 'o', now() + interval '1 hour')`,
      [serverId, tenant.id],
    );
    const url = new URL(runDatabaseUrl());
    relay = await new TcpRelay(url.hostname, Number(url.port)).start();
    url.host = `127.0.0.1:${relay.port}`;
    a = cacheListeningOn(url.toString());
    b = cacheListeningOn(runDatabaseUrl());
  });

  afterEach(async () => {
    await Promise.all([a?.beforeApplicationShutdown(), b?.beforeApplicationShutdown()]);
    await relay?.stop();
    await db?.destroy();
    jest.restoreAllMocks();
  });

  it('sets TCP keepalive on the listener connection, so idle-dropping middleboxes leave it alone', async () => {
    const keepAlive = jest.spyOn(Socket.prototype, 'setKeepAlive');
    await a.onApplicationBootstrap();
    const onListener = keepAlive.mock.contexts.findIndex(
      (socket) => (socket as Socket).remotePort === relay.port,
    );
    expect(onListener).toBeGreaterThanOrEqual(0);
    expect(keepAlive.mock.calls[onListener]).toEqual([true, expect.any(Number)]);
  });

  it('announces a change made while its own listener reconnects, and reloads what it missed once back', async () => {
    await Promise.all([a.onApplicationBootstrap(), b.onApplicationBootstrap()]);
    expect(b.get(serverId)?.title).toBe('v1');

    await relay.stop();
    await until(() => !a.listening, "A noticing its listener's loss");

    // A change made on A while A cannot listen: B still hears of it (NOTIFY goes over A's pool).
    await setTitle('v2');
    await a.changed(serverId);
    await until(() => b.get(serverId)?.title === 'v2', 'B seeing the change made on A');

    // A change made on B meanwhile never reaches A's listener: A reloads everything when it is back.
    await setTitle('v3');
    await b.changed(serverId);
    await relay.start();
    await until(() => a.listening && a.get(serverId)?.title === 'v3', 'A catching up after reconnecting');
  });

  it('replaces a listener connection that was silently dropped and catches up on what it missed', async () => {
    await Promise.all([a.onApplicationBootstrap(), b.onApplicationBootstrap()]);
    // No byte passes any more, and nobody is told: notifications to A simply stop.
    relay.stall();
    await setTitle('v2');
    await b.changed(serverId);

    expect(await a.pingListener(200)).toBe(false);
    expect(a.listening).toBe(false);
    // The path works again for new connections; the dropped one stays dead (cut before the relay flows again).
    await relay.stop();
    relay.unstall();
    await relay.start();
    await until(() => a.listening && a.get(serverId)?.title === 'v2', 'A reconnecting and reloading');
    expect(await a.pingListener()).toBe(true);
  });
});
