import type { RegisteredServer } from '../../registry/registry.types.js';
import type { Principal } from '../../common/principal.js';
import { connectionFingerprint, UpstreamClients } from './upstream-clients.js';
import type { UpstreamSession } from './upstream-session.js';

/** A registered server as the cache keys and connects it (health fields too: they must not change the key). */
const server = {
  id: 's',
  endpoints: [{ url: 'https://a.example/mcp' }],
  transport: 'streamable-http',
  upstreamAuth: { type: 'none' },
  timeouts: { connectMs: 5000, requestMs: 30000, tools: {} },
  identityHeaders: false,
  updatedAt: new Date(1),
  lastCheckedAt: null,
  status: 'healthy',
} as unknown as RegisteredServer;

describe('connectionFingerprint', () => {
  it('stays the same across health checks, and changes with what a session is opened with', () => {
    const base = connectionFingerprint(server);
    const checked = { ...server, updatedAt: new Date(2), lastCheckedAt: new Date(2), status: 'degraded' };
    expect(connectionFingerprint(checked as RegisteredServer)).toBe(base);
    for (const change of [
      { endpoints: [{ url: 'https://b.example/mcp' }] },
      { upstreamAuth: { type: 'static', headerName: 'Authorization', sealedValue: 'x' } },
      { timeouts: { connectMs: 5000, requestMs: 1000, tools: {} } },
      { identityHeaders: true },
    ]) {
      expect(connectionFingerprint({ ...server, ...change } as RegisteredServer)).not.toBe(base);
    }
  });
});

describe('UpstreamClients', () => {
  const principal = { tenantId: 't', oid: 'u' } as Principal;

  it('closes a session that left the cache only when its last call has ended (a long call is not cut)', async () => {
    const close = jest.fn(() => Promise.resolve());
    const clients = new UpstreamClients({} as never, {} as never, {} as never);
    (clients as unknown as { connect: () => Promise<UpstreamSession> }).connect = () =>
      Promise.resolve({ close } as unknown as UpstreamSession);
    let finish!: () => void;
    const call = clients.with(principal, server, () => new Promise<void>((resolve) => (finish = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    // What idle expiry or eviction does: the entry leaves the cache while the call still runs.
    (clients as unknown as { clients: { clear(): void } }).clients.clear();
    await new Promise((resolve) => setImmediate(resolve));
    expect(close).not.toHaveBeenCalled();
    finish();
    await call;
    await new Promise((resolve) => setImmediate(resolve));
    expect(close).toHaveBeenCalledTimes(1);
  });
});
