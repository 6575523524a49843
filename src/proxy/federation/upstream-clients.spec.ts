import type { RegisteredServer } from '../../registry/registry.types.js';
import { connectionFingerprint } from './upstream-clients.js';

describe('connectionFingerprint', () => {
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
