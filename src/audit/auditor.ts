import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AuditWriter } from './audit-writer.js';
import { CallMetrics } from './call-metrics.js';
import { type AuditEventInput, NO_TENANT, type PendingAuditEvent } from './audit.types.js';
import { redactParams, storableText } from './redaction.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 512;
/** A flood of refusals (429) is sampled: one event per actor and action in this window, counting the rest. */
const FLOOD_WINDOW_MS = 10_000;
const FLOOD_KEYS_MAX = 10_000;
const INT_MAX = 2_147_483_647;

/** Who made a request and from where, as audit events record it. */
export function requestActor(
  req: Request | undefined,
  principal: Principal | undefined,
): Partial<AuditEventInput> {
  return {
    ...(principal
      ? {
          tenantId: principal.tenantId,
          actorOid: principal.oid,
          actorName: principal.name,
          roles: principal.roles,
          clientId: principal.clientId,
        }
      : {}),
    ...(req
      ? {
          requestId: (req as Request & { id?: string }).id,
          ip: req.ip,
          userAgent: req.get('user-agent'),
          sessionId: req.get('mcp-session-id'),
        }
      : {}),
  };
}

/**
 * The one entry point for recording an audit event from any surface. It fills what every event has (id, time,
 * tenant), redacts params (global and per-call extra keys, size cap), keeps only well-formed values (a malformed
 * server id goes into params, never into a uuid column where it would fail the whole batch), samples floods of
 * throttling refusals, and hands the event to the writer without waiting.
 */
@Injectable()
export class Auditor {
  private readonly floods = new Map<string, { until: number; suppressed: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly writer: AuditWriter,
    private readonly metrics: CallMetrics,
  ) {}

  get enabled(): boolean {
    return this.config.audit.enabled;
  }

  record(input: AuditEventInput): void {
    this.metrics.observe(input);
    if (!this.enabled) return;
    const event = this.build(input);
    if (event) this.writer.enqueue(event);
  }

  /** Records and waits until the event is stored in PostgreSQL (MREG_AUDIT_FAIL_CLOSED). */
  async recordDurably(input: AuditEventInput): Promise<void> {
    this.metrics.observe(input);
    if (!this.enabled) return;
    const event = this.build(input);
    if (event) await this.writer.enqueueDurably(event);
  }

  /** Whether audit records can currently be made durable (PostgreSQL reachable). */
  get durable(): boolean {
    return !this.enabled || this.writer.healthy;
  }

  private build(input: AuditEventInput): PendingAuditEvent | undefined {
    // Floods are sampled, one event per actor (or IP) and action per window: throttled requests, and refused tokens,
    // which anyone can send without limit (they never reach the throttle). Other refusals are each recorded.
    const flood = input.status === 429 || (input.status === 401 && !input.actorOid);
    const suppressed = flood ? this.sample(input) : 0;
    if (suppressed < 0) return undefined;
    const serverIdValid = input.serverId === undefined || UUID.test(input.serverId);
    let params = input.params;
    if (!serverIdValid) params = { ...(isObject(params) ? params : { params }), serverRef: input.serverId };
    if (suppressed > 0) params = { ...(isObject(params) ? params : {}), suppressedSinceLast: suppressed };
    return {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      tenantId: input.tenantId && UUID.test(input.tenantId) ? input.tenantId.toLowerCase() : NO_TENANT,
      actorOid: text(input.actorOid),
      actorName: text(input.actorName),
      roles: [...(input.roles ?? [])].map((role) => storableText(role)),
      clientId: text(input.clientId),
      surface: input.surface,
      action: text(input.action) ?? 'unknown',
      serverId: input.serverId && serverIdValid ? input.serverId.toLowerCase() : null,
      tool: text(input.tool),
      requestId: text(input.requestId),
      sessionHash: input.sessionId
        ? createHash('sha256').update(input.sessionId).digest('hex').slice(0, 32)
        : null,
      outcome: input.outcome,
      status: int(input.status),
      errorCode: text(input.errorCode),
      durationMs: int(input.durationMs),
      bytes: int(input.bytes),
      params:
        params === undefined
          ? null
          : redactParams(params, {
              extraKeys: [...this.config.audit.redactKeys, ...(input.redactKeys ?? [])],
              maxBytes: this.config.audit.maxParamsBytes,
            }),
      ip: text(input.ip),
      userAgent: text(input.userAgent),
    };
  }

  /** -1: drop this refusal (one was recorded for the same actor and action recently); n >= 0: record, n were dropped. */
  private sample(input: AuditEventInput): number {
    const key = `${input.tenantId ?? ''}|${input.actorOid ?? input.ip ?? ''}|${input.action}`;
    const now = Date.now();
    const flood = this.floods.get(key);
    if (flood && flood.until > now) {
      flood.suppressed += 1;
      return -1;
    }
    if (this.floods.size >= FLOOD_KEYS_MAX) this.floods.clear();
    this.floods.set(key, { until: now + FLOOD_WINDOW_MS, suppressed: 0 });
    return flood?.suppressed ?? 0;
  }
}

function text(value: string | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return storableText(String(value).slice(0, MAX_TEXT));
}

function int(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  return Math.max(0, Math.min(INT_MAX, Math.round(value)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
