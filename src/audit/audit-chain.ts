import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';
import type { ChainedAuditEvent, PendingAuditEvent } from './audit.types.js';

/** The `prev_hash` of a chain's first event. */
export const GENESIS_HASH = '';

/**
 * The bytes an event's hash covers: every stored field in a fixed order, params with sorted keys (jsonb does not keep
 * key order), so the hash computed by the writer is recomputed identically from the stored row.
 */
export function canonicalEvent(event: PendingAuditEvent, chainSeq: number): string {
  return canonicalJson([
    event.tenantId,
    chainSeq,
    event.eventId,
    event.occurredAt,
    event.actorOid,
    event.actorName,
    event.roles,
    event.clientId,
    event.surface,
    event.action,
    event.serverId,
    event.tool,
    event.requestId,
    event.sessionHash,
    event.outcome,
    event.status,
    event.errorCode,
    event.durationMs,
    event.bytes,
    event.params ?? null,
    event.ip,
    event.userAgent,
  ]);
}

export function chainHash(prevHash: string, event: PendingAuditEvent, chainSeq: number): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalEvent(event, chainSeq)}`)
    .digest('hex');
}

/** Links events onto a chain whose last link is (`seq`, `hash`), in the order given. */
export function link(
  events: readonly PendingAuditEvent[],
  head: { seq: number; hash: string },
): ChainedAuditEvent[] {
  let { seq, hash } = head;
  return events.map((event) => {
    seq += 1;
    const chained = { ...event, chainSeq: seq, prevHash: hash, hash: chainHash(hash, event, seq) };
    hash = chained.hash;
    return chained;
  });
}
