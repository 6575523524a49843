import { canonicalEvent, chainHash, GENESIS_HASH, link } from './audit-chain.js';
import type { PendingAuditEvent } from './audit.types.js';

const event = (params: unknown): PendingAuditEvent => ({
  eventId: '6f1c1f0e-0000-4000-8000-000000000001',
  occurredAt: '2026-11-25T10:00:00.000Z',
  tenantId: '6f1c1f0e-0000-4000-8000-000000000002',
  actorOid: 'oid',
  actorName: 'Ada',
  roles: ['admin'],
  clientId: null,
  surface: 'rest',
  action: 'registry.register',
  serverId: null,
  tool: null,
  requestId: 'r',
  sessionHash: null,
  outcome: 'success',
  status: 201,
  errorCode: null,
  durationMs: 3,
  bytes: 10,
  params,
  ip: '127.0.0.1',
  userAgent: 'ua',
});

describe('audit hash chain', () => {
  it('does not depend on the key order of params (jsonb reorders them)', () => {
    expect(canonicalEvent(event({ b: 1, a: { d: 2, c: 3 } }), 1)).toBe(
      canonicalEvent(event({ a: { c: 3, d: 2 }, b: 1 }), 1),
    );
  });

  it('links each event to the previous hash and changes with any field', () => {
    const [first, second] = link([event({ n: 1 }), event({ n: 2 })], { seq: 0, hash: GENESIS_HASH });
    expect(first).toMatchObject({ chainSeq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ chainSeq: 2, prevHash: first.hash });
    expect(second.hash).toBe(chainHash(first.hash, event({ n: 2 }), 2));
    expect(chainHash(first.hash, { ...event({ n: 2 }), outcome: 'error' }, 2)).not.toBe(second.hash);
    expect(chainHash(first.hash, event({ n: 2 }), 3)).not.toBe(second.hash);
  });
});
