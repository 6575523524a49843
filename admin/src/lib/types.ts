/** The REST API's shapes the console reads (see /docs-json); only the fields it uses. */

export type Role = 'admin' | 'server_owner' | 'user';

export interface UserInfo {
  tenantId: string;
  tenantKey: string;
  oid: string;
  sub: string;
  name?: string;
  roles: Role[];
  authMode: 'local' | 'entra';
}

export interface ServerView {
  id: string;
  name: string;
  title: string | null;
  description: string;
  version: string | null;
  endpoints: { url: string; weight: number }[];
  transport: string;
  visibility: string;
  requiredRoles: Role[];
  ownerOid: string;
  tags: string[];
  toolRoles: Record<string, Role[]>;
  rateLimits: { requestsPerMinute?: number; tools: Record<string, number> };
  upstreamAuth: { type: string; hasSecret: boolean };
  timeouts: { connectMs: number; requestMs: number };
  lbStrategy: string;
  status: 'unknown' | 'healthy' | 'degraded' | 'unhealthy' | 'maintenance';
  lastCheckedAt: string | null;
  lastError: string | null;
  latencyMs: number | null;
  protocolVersion: string | null;
  serverInfo: { name: string; version: string; title?: string } | null;
  toolCount: number;
  pendingChanges: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ServerPage {
  items: ServerView[];
  total: number;
  limit: number;
  nextCursor: string | null;
}

export interface Registration {
  server: ServerView;
  discovered: { tools: string[]; resources: number; prompts: number } | null;
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

export interface CapabilitySnapshot {
  tools: Tool[];
  resources: { uri: string; name: string; description?: string; mimeType?: string }[];
  resourceTemplates: { uriTemplate: string; name: string; description?: string }[];
  prompts: { name: string; description?: string; arguments?: { name: string; required?: boolean }[] }[];
}

export interface CapabilitiesView {
  serverId: string;
  serverName: string;
  status: string;
  approved: CapabilitySnapshot | null;
  approvedHash: string | null;
  pending: {
    capabilities: CapabilitySnapshot;
    hash: string;
    drift: { added: string[]; removed: string[]; changed: string[] };
  } | null;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  chainSeq: number;
  actorOid: string | null;
  actorName: string | null;
  roles: string[];
  clientId: string | null;
  surface: string;
  action: string;
  serverId: string | null;
  tool: string | null;
  requestId: string | null;
  outcome: string;
  status: number | null;
  errorCode: string | null;
  durationMs: number | null;
  params: unknown;
  ip: string | null;
  userAgent: string | null;
  hash: string;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface RegistryStats {
  total: number;
  byStatus: Record<string, number>;
  byTransport: Record<string, number>;
}
