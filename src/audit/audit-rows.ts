import type { AuditOutcome, AuditSurface, PendingAuditEvent } from './audit.types.js';

/** An `audit_events` row as PostgreSQL returns it. */
export interface AuditRow {
  id: string;
  event_id: string;
  occurred_at: Date;
  tenant_id: string;
  chain_seq: string;
  actor_oid: string | null;
  actor_name: string | null;
  roles: string[];
  client_id: string | null;
  surface: AuditSurface;
  action: string;
  server_id: string | null;
  tool: string | null;
  request_id: string | null;
  session_hash: string | null;
  outcome: AuditOutcome;
  status: number | null;
  error_code: string | null;
  duration_ms: number | null;
  bytes: number | null;
  params: unknown;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
  hash: string;
}

/** The event a stored row holds, field for field as the writer hashed it. */
export function eventOf(row: AuditRow): PendingAuditEvent {
  return {
    eventId: row.event_id,
    occurredAt: row.occurred_at.toISOString(),
    tenantId: row.tenant_id,
    actorOid: row.actor_oid,
    actorName: row.actor_name,
    roles: row.roles,
    clientId: row.client_id,
    surface: row.surface,
    action: row.action,
    serverId: row.server_id,
    tool: row.tool,
    requestId: row.request_id,
    sessionHash: row.session_hash,
    outcome: row.outcome,
    status: row.status,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    bytes: row.bytes,
    params: row.params,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}
