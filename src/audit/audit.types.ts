import type { AuditOutcome, AuditSurface } from '../common/audit-vocabulary.js';

export type { AuditOutcome, AuditSurface };

/** The tenant of events refused before anyone was authenticated (no tenant is known yet). */
export const NO_TENANT = '00000000-0000-0000-0000-000000000000';

/** An event as recorded by a surface, before redaction, chaining and storage. */
export interface AuditEventInput {
  surface: AuditSurface;
  action: string;
  outcome: AuditOutcome;
  tenantId?: string;
  actorOid?: string;
  actorName?: string;
  roles?: readonly string[];
  clientId?: string;
  serverId?: string;
  tool?: string;
  requestId?: string;
  /** The raw session id: only its hash is stored. */
  sessionId?: string;
  status?: number;
  errorCode?: string;
  durationMs?: number;
  bytes?: number;
  params?: unknown;
  /** Extra keys to redact for this event (a server's own sensitive argument names). */
  redactKeys?: readonly string[];
  ip?: string;
  userAgent?: string;
}

/** An event ready for the chain: every field final, params redacted. Also the line format of the spill file. */
export interface PendingAuditEvent {
  eventId: string;
  occurredAt: string;
  tenantId: string;
  actorOid: string | null;
  actorName: string | null;
  roles: string[];
  clientId: string | null;
  surface: AuditSurface;
  action: string;
  serverId: string | null;
  tool: string | null;
  requestId: string | null;
  sessionHash: string | null;
  outcome: AuditOutcome;
  status: number | null;
  errorCode: string | null;
  durationMs: number | null;
  bytes: number | null;
  params: unknown;
  ip: string | null;
  userAgent: string | null;
}

/** A stored event: the pending one plus its place in the tenant's chain. */
export interface ChainedAuditEvent extends PendingAuditEvent {
  chainSeq: number;
  prevHash: string;
  hash: string;
}
