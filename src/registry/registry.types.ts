import type { GatewayRole } from '../config/app-config.js';

export const TRANSPORTS = ['streamable-http', 'sse'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const VISIBILITIES = ['tenant', 'global'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const SERVER_STATUSES = ['unknown', 'healthy', 'degraded', 'unhealthy', 'maintenance'] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

export const LB_STRATEGIES = [
  'round_robin',
  'least_connections',
  'weighted',
  'random',
  'consistent_hash',
] as const;
export type LbStrategy = (typeof LB_STRATEGIES)[number];

export const UPSTREAM_AUTH_TYPES = ['none', 'static', 'client_credentials', 'entra_obo'] as const;
export type UpstreamAuthType = (typeof UPSTREAM_AUTH_TYPES)[number];

export interface ServerEndpoint {
  url: string;
  weight: number;
}

/**
 * How the gateway authenticates to an upstream, as stored: secrets are sealed (`SecretBox`) with the server id as
 * associated data, so a sealed value copied onto another row does not open.
 */
export type StoredUpstreamAuth =
  | { type: 'none' }
  | { type: 'static'; headerName: string; sealedValue: string }
  | {
      type: 'client_credentials';
      tokenUrl: string;
      clientId: string;
      sealedClientSecret: string;
      scope?: string;
      audience?: string;
    }
  | { type: 'entra_obo'; scope: string };

export interface ServerTimeouts {
  connectMs: number;
  requestMs: number;
  /** Per-tool overrides for long-running tools. */
  tools: Record<string, number>;
}

/** Per-caller limits on one server, per minute: all JSON-RPC messages, and `tools/call` by tool name. */
export interface ServerRateLimits {
  requestsPerMinute?: number;
  tools: Record<string, number>;
}

export interface HealthCheckSettings {
  intervalSeconds: number;
  timeoutMs: number;
  unhealthyThreshold: number;
  /** A check slower than this marks the server degraded. */
  degradedLatencyMs: number;
}

export interface DiscoveredTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface DiscoveredResource {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface DiscoveredPrompt {
  name: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

/** What an upstream offered at its last successful discovery. */
export interface CapabilitySnapshot {
  tools: DiscoveredTool[];
  resources: DiscoveredResource[];
  resourceTemplates: { uriTemplate: string; name: string; description?: string }[];
  prompts: DiscoveredPrompt[];
  /** The upstream's `capabilities` from `initialize`. */
  serverCapabilities: Record<string, unknown>;
  /**
   * Tools the upstream lists only to clients that declare sampling, elicitation or roots (discovery declares them).
   * `/federated/mcp` leaves them out: it cannot relay those requests back to its caller. Absent: none, or unknown.
   */
  clientCapabilityTools?: string[];
  /**
   * The tool names each protocol revision offers, when the server speaks 2026-07-28 as well as 2025-11-25 (a server
   * may offer more tools to a 2026 client). `tools` holds every one of them. Absent: 2025 only, all of `tools`.
   */
  toolEras?: ToolEras;
}

/** The stateless revision discovery asks for beside the 2025 handshake. */
export const MODERN_REVISION = '2026-07-28';
/** The revision of the 2025 handshake (the SDK client's `legacy` negotiation). */
export const LEGACY_REVISION = '2025-11-25';

export type ToolEras = Record<typeof LEGACY_REVISION | typeof MODERN_REVISION, string[]>;

export interface ServerInfo {
  name: string;
  version: string;
  title?: string;
}

/** The registry's view of one server, as the cache and the proxy use it (secrets still sealed). */
export interface RegisteredServer {
  id: string;
  tenantId: string;
  name: string;
  title: string | null;
  description: string;
  version: string | null;
  endpoints: ServerEndpoint[];
  transport: Transport;
  visibility: Visibility;
  requiredRoles: GatewayRole[];
  ownerOid: string;
  tags: string[];
  toolRoles: Record<string, GatewayRole[]>;
  identityHeaders: boolean;
  auditRedactKeys: string[];
  rateLimits: ServerRateLimits;
  upstreamAuth: StoredUpstreamAuth;
  timeouts: ServerTimeouts;
  healthCheck: HealthCheckSettings;
  lbStrategy: LbStrategy;
  status: ServerStatus;
  lastCheckedAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Endpoints that failed the last health check. */
  downEndpoints: string[];
  latencyMs: number | null;
  protocolVersion: string | null;
  serverInfo: ServerInfo | null;
  capabilities: CapabilitySnapshot | null;
  capabilitiesHash: string | null;
  approvedCapabilities: CapabilitySnapshot | null;
  approvedCapabilitiesHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { connectMs: 5_000, requestMs: 30_000, tools: {} };
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = {
  intervalSeconds: 30,
  timeoutMs: 10_000,
  unhealthyThreshold: 3,
  degradedLatencyMs: 2_000,
};
