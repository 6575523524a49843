import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { GatewayRole } from '../config/app-config.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';
import type {
  CapabilitySnapshot,
  HealthCheckSettings,
  LbStrategy,
  ServerRateLimits,
  ServerEndpoint,
  ServerInfo,
  ServerStatus,
  ServerTimeouts,
  StoredUpstreamAuth,
  Transport,
  Visibility,
} from './registry.types.js';

/**
 * One registered upstream MCP server. Tenant-owned: Row-Level Security limits the application role to rows of the
 * tenant set in `app.tenant_id` (plus `global` rows for reading), see the CreateMcpServers migration.
 */
@Entity({ name: 'mcp_servers' })
@Index('UQ_mcp_servers_tenant_name', ['tenantId', 'name'], { unique: true })
@Index('IDX_mcp_servers_next_check', ['nextCheckAt'])
export class McpServerEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', nullable: true })
  version!: string | null;

  @Column({ type: 'jsonb' })
  endpoints!: ServerEndpoint[];

  @Column({ type: 'text' })
  transport!: Transport;

  @Column({ type: 'text', default: 'tenant' })
  visibility!: Visibility;

  @Column({ name: 'required_roles', type: 'text', array: true, default: () => "'{}'" })
  requiredRoles!: GatewayRole[];

  @Column({ name: 'owner_oid', type: 'text' })
  ownerOid!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  /** Send the caller's identity upstream (X-Mcp-User-Id/-Tenant-Id/-Roles and a signed X-Mcp-Identity). */
  @Column({ name: 'identity_headers', type: 'boolean', default: false })
  identityHeaders!: boolean;

  /** Argument names of this server's tools whose values the audit trail redacts, besides the global list. */
  @Column({ name: 'audit_redact_keys', type: 'text', array: true, default: () => "'{}'" })
  auditRedactKeys!: string[];

  /** Per-caller rate limits: `{ requestsPerMinute?, tools?: { toolName: perMinute } }`; `{}` means none. */
  @Column({ name: 'rate_limits', type: 'jsonb', default: () => "'{}'" })
  rateLimits!: Partial<ServerRateLimits>;

  /** Per-tool role rules: `{ toolName: [roles] }`; a caller needs one of them to see or call the tool. */
  @Column({ name: 'tool_roles', type: 'jsonb', default: () => "'{}'" })
  toolRoles!: Record<string, GatewayRole[]>;

  @Column({ name: 'upstream_auth', type: 'jsonb', default: () => `'{"type": "none"}'` })
  upstreamAuth!: StoredUpstreamAuth;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  timeouts!: Partial<ServerTimeouts>;

  @Column({ name: 'health_check', type: 'jsonb', default: () => "'{}'" })
  healthCheck!: Partial<HealthCheckSettings>;

  @Column({ name: 'lb_strategy', type: 'text', default: 'round_robin' })
  lbStrategy!: LbStrategy;

  @Column({ type: 'text', default: 'unknown' })
  status!: ServerStatus;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt!: Date | null;

  /** When the health checker should next look at this server; claimed with `FOR UPDATE SKIP LOCKED`. */
  @Column({ name: 'next_check_at', type: 'timestamptz', default: () => 'now()' })
  nextCheckAt!: Date;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Endpoints that failed the last health check; the proxy skips them while another endpoint is up. */
  @Column({ name: 'down_endpoints', type: 'text', array: true, default: () => "'{}'" })
  downEndpoints!: string[];

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'protocol_version', type: 'text', nullable: true })
  protocolVersion!: string | null;

  @Column({ name: 'server_info', type: 'jsonb', nullable: true })
  serverInfo!: ServerInfo | null;

  @Column({ type: 'jsonb', nullable: true })
  capabilities!: CapabilitySnapshot | null;

  @Column({ name: 'capabilities_hash', type: 'text', nullable: true })
  capabilitiesHash!: string | null;

  /** The snapshot an admin approved (or the first one seen); the proxy serves only these tools. */
  @Column({ name: 'approved_capabilities', type: 'jsonb', nullable: true })
  approvedCapabilities!: CapabilitySnapshot | null;

  @Column({ name: 'approved_capabilities_hash', type: 'text', nullable: true })
  approvedCapabilitiesHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
