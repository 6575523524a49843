import { DEFAULT_HEALTH_CHECK, DEFAULT_TIMEOUTS, type RegisteredServer } from '../registry.types.js';
import { capabilitiesHash } from '../capabilities.js';
import { stateAfterCheck, type CheckOutcome } from './health-state.js';

const now = new Date('2026-11-25T12:00:00Z');
const tools = (...names: string[]) => ({
  tools: names.map((name) => ({ name, inputSchema: { type: 'object' } })),
  resources: [],
  resourceTemplates: [],
  prompts: [],
  serverCapabilities: {},
});

function server(overrides: Partial<RegisteredServer> = {}): RegisteredServer {
  const approved = tools('a');
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
    toolRoles: {},
    identityHeaders: false,
    auditRedactKeys: [],
    rateLimits: { tools: {} },
    upstreamAuth: { type: 'none' },
    timeouts: DEFAULT_TIMEOUTS,
    healthCheck: DEFAULT_HEALTH_CHECK,
    lbStrategy: 'round_robin',
    status: 'healthy',
    lastCheckedAt: null,
    lastError: null,
    consecutiveFailures: 0,
    downEndpoints: [],
    latencyMs: null,
    protocolVersion: null,
    serverInfo: null,
    capabilities: approved,
    capabilitiesHash: capabilitiesHash(approved),
    approvedCapabilities: approved,
    approvedCapabilitiesHash: capabilitiesHash(approved),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const failed: CheckOutcome = {
  failures: [{ url: 'http://up/mcp', error: 'ECONNREFUSED' }],
  endpointCount: 1,
};
const answered = (latencyMs: number, snapshot = tools('a')): CheckOutcome => ({
  result: { snapshot, latencyMs, protocolVersion: '2025-11-25', serverInfo: { name: 'up', version: '1' } },
  failures: [],
  endpointCount: 1,
});

describe('stateAfterCheck', () => {
  it('degrades a healthy server on a first failure and fails it at the threshold', () => {
    expect(stateAfterCheck(server(), failed, now, true)).toMatchObject({
      status: 'degraded',
      consecutiveFailures: 1,
    });
    expect(
      stateAfterCheck(server({ consecutiveFailures: 2, status: 'degraded' }), failed, now, true),
    ).toMatchObject({
      status: 'unhealthy',
      consecutiveFailures: 3,
      lastError: 'http://up/mcp: ECONNREFUSED',
    });
  });

  it('marks a slow answer degraded, never unhealthy, and resets the failure count', () => {
    const sut = stateAfterCheck(server({ consecutiveFailures: 2 }), answered(5000), now, true);
    expect(sut).toMatchObject({ status: 'degraded', consecutiveFailures: 0, lastError: 'slow: 5000 ms' });
  });

  it('keeps maintenance whatever the check finds', () => {
    expect(stateAfterCheck(server({ status: 'maintenance' }), answered(5), now, true).status).toBe(
      'maintenance',
    );
    expect(stateAfterCheck(server({ status: 'maintenance' }), failed, now, true).status).toBe('maintenance');
  });

  it('stores drift as pending unless approval is off', () => {
    const changed = answered(5, tools('a', 'b'));
    const held = stateAfterCheck(server(), changed, now, true);
    expect(held.capabilitiesHash).toBe(capabilitiesHash(tools('a', 'b')));
    expect(held.approvedCapabilitiesHash).toBeUndefined();
    const applied = stateAfterCheck(server(), changed, now, false);
    expect(applied.approvedCapabilitiesHash).toBe(capabilitiesHash(tools('a', 'b')));
  });

  it('approves the first snapshot of a server nothing was approved for', () => {
    const sut = stateAfterCheck(server({ approvedCapabilitiesHash: null }), answered(5), now, true);
    expect(sut.approvedCapabilitiesHash).toBe(capabilitiesHash(tools('a')));
  });

  it('degrades a server whose capabilities grew too large, keeping every snapshot and the failure count', () => {
    const oversized: CheckOutcome = {
      failures: [
        {
          url: 'http://up/mcp',
          error: 'more than 8388608 bytes (MREG_DISCOVERY_MAX_BYTES)',
          oversized: true,
        },
      ],
      endpointCount: 1,
    };
    const sut = stateAfterCheck(server({ consecutiveFailures: 2 }), oversized, now, false);
    expect(sut).toEqual({
      lastCheckedAt: now,
      consecutiveFailures: 0,
      status: 'degraded',
      lastError: 'http://up/mcp: more than 8388608 bytes (MREG_DISCOVERY_MAX_BYTES)',
      downEndpoints: [],
    });
    expect(stateAfterCheck(server({ status: 'maintenance' }), oversized, now, true).status).toBe(
      'maintenance',
    );
  });
});
