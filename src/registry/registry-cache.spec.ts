import type { AppConfig } from '../config/app-config.js';
import type { McpServerEntity } from './mcp-server.entity.js';
import { RegistryCache } from './registry-cache.js';
import type { RegistryRepository } from './registry.repository.js';

const now = new Date('2026-11-25T12:00:00Z');

function row(overrides: Partial<McpServerEntity> = {}): McpServerEntity {
  return {
    id: 's1',
    tenantId: 't1',
    name: 'x',
    title: null,
    description: '',
    version: null,
    endpoints: [{ url: 'http://up/mcp', weight: 1 }],
    transport: 'streamable-http',
    visibility: 'tenant',
    requiredRoles: [],
    ownerOid: 'o',
    tags: [],
    identityHeaders: false,
    auditRedactKeys: [],
    rateLimits: { tools: {} },
    toolRoles: {},
    upstreamAuth: { type: 'none' },
    timeouts: { tools: {} },
    healthCheck: {},
    lbStrategy: 'round_robin',
    status: 'healthy',
    lastCheckedAt: null,
    nextCheckAt: now,
    consecutiveFailures: 0,
    lastError: null,
    downEndpoints: [],
    latencyMs: null,
    protocolVersion: null,
    serverInfo: null,
    capabilities: null,
    capabilitiesHash: null,
    approvedCapabilities: null,
    approvedCapabilitiesHash: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * The registry table as the cache sees it: a read answers with the rows as they were when it was issued (like a
 * statement snapshot) and, while `holding`, only when the test releases it, so a test can order reads by hand.
 */
class FakeRegistryTable {
  readonly rows = new Map<string, McpServerEntity>();
  readonly notified: string[] = [];
  holding = false;
  private readonly held: (() => void)[] = [];

  private read<T>(snapshot: T): Promise<T> {
    if (!this.holding) return Promise.resolve(snapshot);
    return new Promise((resolve) => this.held.push(() => resolve(snapshot)));
  }

  release(): void {
    this.held.shift()?.();
  }

  systemFindById = (id: string) => this.read(this.rows.has(id) ? { ...this.rows.get(id)! } : null);
  systemFindAll = () => this.read([...this.rows.values()].map((entity) => ({ ...entity })));
  notify = (_channel: string, payload: string) => {
    this.notified.push(payload);
    return Promise.resolve();
  };
}

function cacheOn(table: FakeRegistryTable, databaseUrl?: string): RegistryCache {
  const config = { database: { url: databaseUrl } } as unknown as AppConfig;
  return new RegistryCache(config, table as unknown as RegistryRepository);
}

describe('RegistryCache', () => {
  it('keeps an unregister made while a full reload was reading the older table', async () => {
    const table = new FakeRegistryTable();
    table.rows.set('s1', row());
    const sut = cacheOn(table);
    await sut.reloadAll();

    table.holding = true;
    const reload = sut.reloadAll();
    table.holding = false;
    table.rows.delete('s1');
    table.rows.set('s2', row({ id: 's2', name: 'y' }));
    await sut.changed('s1');
    expect(sut.get('s1')).toBeUndefined();

    table.release();
    await reload;
    expect(sut.get('s1')).toBeUndefined();
    // The rest of the older snapshot still applies (s2 was added after it was read, so it is not in it).
    expect(sut.get('s2')).toBeUndefined();
    await sut.reloadAll();
    expect(sut.get('s2')).toMatchObject({ name: 'y' });
  });

  it('keeps tightened roles and maintenance made while a full reload was in flight', async () => {
    const table = new FakeRegistryTable();
    table.rows.set('s1', row());
    table.rows.set('s2', row({ id: 's2', name: 'y' }));
    const sut = cacheOn(table);
    await sut.reloadAll();

    table.holding = true;
    const reload = sut.reloadAll();
    table.holding = false;
    table.rows.set('s1', row({ requiredRoles: ['admin'] }));
    table.rows.set('s2', row({ id: 's2', name: 'y', status: 'maintenance' }));
    await sut.changed('s1');
    await sut.changed('s2');
    table.release();
    await reload;

    expect(sut.get('s1')?.requiredRoles).toEqual(['admin']);
    expect(sut.get('s2')?.status).toBe('maintenance');
  });

  it('never lets an earlier refresh of a server that answers late replace a later one', async () => {
    const table = new FakeRegistryTable();
    table.rows.set('s1', row());
    const sut = cacheOn(table);
    await sut.reloadAll();

    table.holding = true;
    const first = sut.changed('s1');
    table.holding = false;
    table.rows.set('s1', row({ requiredRoles: ['admin'] }));
    await sut.changed('s1');
    table.release();
    const answered = await first;

    expect(sut.get('s1')?.requiredRoles).toEqual(['admin']);
    // The caller of the overtaken refresh is told the newest value, not the one its read returned.
    expect(answered?.requiredRoles).toEqual(['admin']);
  });

  it('announces a change on PostgreSQL even while its own listener is not connected', async () => {
    const table = new FakeRegistryTable();
    table.rows.set('s1', row());
    // Never bootstrapped: no listener connection, as while it reconnects.
    const sut = cacheOn(table, 'postgres://db.example/registry');

    await sut.changed('s1');

    expect(table.notified).toEqual([expect.stringMatching(/:s1$/)]);
  });

  it('announces nothing on the embedded database (one process; changes apply in-process)', async () => {
    const table = new FakeRegistryTable();
    table.rows.set('s1', row());
    const sut = cacheOn(table);

    expect(await sut.changed('s1')).toMatchObject({ id: 's1' });
    expect(table.notified).toEqual([]);
  });
});
