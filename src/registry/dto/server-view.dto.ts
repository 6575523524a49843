import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_ROLES } from '../../common/principal.js';
import type { GatewayRole } from '../../config/app-config.js';
import {
  LB_STRATEGIES,
  type LbStrategy,
  SERVER_STATUSES,
  type ServerStatus,
  TRANSPORTS,
  type Transport,
  UPSTREAM_AUTH_TYPES,
  VISIBILITIES,
  type Visibility,
} from '../registry.types.js';
import type { UpstreamAuthView } from '../upstream-credentials.js';

class EndpointView {
  @ApiProperty({ example: 'https://mcp.example.com/mcp' }) url!: string;
  @ApiProperty({ example: 1 }) weight!: number;
}

class UpstreamAuthViewDoc implements UpstreamAuthView {
  @ApiProperty({ enum: UPSTREAM_AUTH_TYPES }) type!: UpstreamAuthView['type'];
  @ApiPropertyOptional() headerName?: string;
  @ApiPropertyOptional() tokenUrl?: string;
  @ApiPropertyOptional() clientId?: string;
  @ApiPropertyOptional() scope?: string;
  @ApiPropertyOptional() audience?: string;
  @ApiProperty({ description: 'A secret is stored (it is never returned)' }) hasSecret!: boolean;
}

/** A registered server as every API returns it: settings and state, never a secret. */
export class ServerView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ example: 'github' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty() description!: string;
  @ApiProperty({ nullable: true, type: String }) version!: string | null;
  @ApiProperty({ type: [EndpointView] }) endpoints!: EndpointView[];
  @ApiProperty({ enum: TRANSPORTS }) transport!: Transport;
  @ApiProperty({ enum: VISIBILITIES }) visibility!: Visibility;
  @ApiProperty({ enum: ALL_ROLES, isArray: true }) requiredRoles!: GatewayRole[];
  @ApiProperty() ownerOid!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ example: { delete_repo: ['admin'] }, description: 'Per-tool role rules' })
  toolRoles!: Record<string, GatewayRole[]>;
  @ApiProperty({ description: "The caller's identity is sent upstream (signed X-Mcp-Identity)" })
  identityHeaders!: boolean;
  @ApiProperty({ type: [String], description: 'Argument names the audit trail redacts for this server' })
  auditRedactKeys!: string[];
  @ApiProperty({
    example: { requestsPerMinute: 600, tools: { create_issue: 10 } },
    description:
      'Per-caller limits per minute on this server: every JSON-RPC message, and tools/call by tool',
  })
  rateLimits!: { requestsPerMinute?: number; tools: Record<string, number> };
  @ApiProperty({ type: UpstreamAuthViewDoc }) upstreamAuth!: UpstreamAuthView;
  @ApiProperty({ example: { connectMs: 5000, requestMs: 30000, tools: {} } })
  timeouts!: { connectMs: number; requestMs: number; tools: Record<string, number> };
  @ApiProperty({
    example: { intervalSeconds: 30, timeoutMs: 10000, unhealthyThreshold: 3, degradedLatencyMs: 2000 },
  })
  healthCheck!: {
    intervalSeconds: number;
    timeoutMs: number;
    unhealthyThreshold: number;
    degradedLatencyMs: number;
  };
  @ApiProperty({ enum: LB_STRATEGIES }) lbStrategy!: LbStrategy;
  @ApiProperty({ enum: SERVER_STATUSES }) status!: ServerStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastCheckedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiProperty({ nullable: true, type: String, example: '2025-11-25' }) protocolVersion!: string | null;
  @ApiProperty({ nullable: true, type: Object, example: { name: 'github-mcp', version: '1.0.0' } })
  serverInfo!: { name: string; version: string; title?: string } | null;
  @ApiProperty({ description: 'Approved tools the gateway serves' }) toolCount!: number;
  @ApiProperty({ description: 'The upstream changed its tools; the change waits for approval' })
  pendingChanges!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ServerPage {
  @ApiProperty({ type: [ServerView] }) items!: ServerView[];
  @ApiProperty({ description: 'Servers matching the filters' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiPropertyOptional({ description: 'Set with page+limit' }) page?: number;
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

class DiscoveredSummary {
  @ApiProperty({ type: [String] }) tools!: string[];
  @ApiProperty() resources!: number;
  @ApiProperty() prompts!: number;
}

export class RegistrationView {
  @ApiProperty({ type: ServerView }) server!: ServerView;
  @ApiProperty({ type: DiscoveredSummary, nullable: true }) discovered!: DiscoveredSummary | null;
}
