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

/** GET /api/v1/admin/config: the effective configuration, secrets masked by the gateway. */
export interface ConfigSetting {
  name: string;
  value: string | number | boolean | string[] | null;
  source: 'env' | '.env' | 'default';
  secret: boolean;
  description: string;
  usedBy?: string;
}

export interface SettingsView {
  settings: ConfigSetting[];
  secretsMasked: true;
}

/** One rate-limit bucket of GET /api/v1/admin/usage; `used` is null when the counter store could not be read. */
export interface BucketUsage {
  bucket: string;
  limit: number;
  windowSeconds: number;
  used: number | null;
  resetsInSeconds: number | null;
  describe: string;
}

export interface ToolUsage extends BucketUsage {
  tool: string;
}

export interface UsageView {
  rateLimits: {
    enabled: boolean;
    store: 'memory' | 'redis';
    countersScope: 'deployment' | 'replica';
    countersAvailable: boolean;
    tiers: { tier: string; perMinute: number; burstPerSecond: number | null }[];
    settings: {
      burstFactor: number;
      tenantMultiplier: number;
      housekeepingPerMinute: number;
      oauthPerMinute: number;
      globalPerMinute: number;
      failClosed: boolean;
    };
    caller: { tier: string; buckets: BucketUsage[] };
    tenant: { tenantId: string; buckets: BucketUsage[] };
    global: BucketUsage | null;
    gatewayTools: ToolUsage[];
    servers: { serverId: string; name: string; requests: BucketUsage | null; tools: ToolUsage[] }[];
  };
  streams: {
    scope: 'replica';
    tenant: number;
    allTenants: number | null;
    maxPerUser: number;
    maxPerUserPerServer: number;
  };
  sessions: { scope: 'replica'; windowSeconds: number; active: number | null; idleTimeoutSeconds: number };
  generatedAt: string;
}
