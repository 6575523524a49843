import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditOutcome, AuditSurface } from './audit.types.js';

/**
 * One audited action. Append-only: a trigger refuses UPDATE and DELETE except inside the retention job. Each
 * tenant's events form a hash chain (`chain_seq`, `prev_hash`, `hash`) assigned by the writer in order, so an edit
 * or a deletion made behind the gateway's back is found by `mcp-gateway audit verify`.
 */
@Entity({ name: 'audit_events' })
@Index('UQ_audit_events_event_id', ['eventId'], { unique: true })
@Index('UQ_audit_events_chain', ['tenantId', 'chainSeq'], { unique: true })
@Index('IDX_audit_events_time', ['tenantId', 'occurredAt'])
@Index('IDX_audit_events_actor', ['tenantId', 'actorOid', 'occurredAt'])
@Index('IDX_audit_events_server', ['tenantId', 'serverId', 'occurredAt'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** Assigned when the event is made; lets a replayed spill file insert each event exactly once. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** Our tenant id; the nil UUID for requests refused before anyone was authenticated. */
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'chain_seq', type: 'bigint' })
  chainSeq!: string;

  @Column({ name: 'actor_oid', type: 'text', nullable: true })
  actorOid!: string | null;

  @Column({ name: 'actor_name', type: 'text', nullable: true })
  actorName!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId!: string | null;

  @Column({ type: 'text' })
  surface!: AuditSurface;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'server_id', type: 'uuid', nullable: true })
  serverId!: string | null;

  @Column({ type: 'text', nullable: true })
  tool!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'session_hash', type: 'text', nullable: true })
  sessionHash!: string | null;

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ type: 'integer', nullable: true })
  status!: number | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  bytes!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  params!: unknown;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}

/** The last link of each tenant's chain; its row lock serialises writers of one tenant across replicas. */
@Entity({ name: 'audit_chain_heads' })
export class AuditChainHeadEntity {
  @Column({ name: 'tenant_id', type: 'uuid', primary: true })
  tenantId!: string;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'text' })
  hash!: string;
}
