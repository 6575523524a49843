import type { ConfigEntry } from './describe-config.js';
import type { LOG_LEVELS, NODE_ENVS } from './gateway-env.js';

import type { GatewayRole } from '../common/principal.js';

export type { GatewayRole };
export type DatabaseKind = 'postgres' | 'embedded';
export type AuthMode = 'entra' | 'local';

/** The typed, validated configuration every module reads. Built once by `loadConfig`; never mutated. */
export interface AppConfig {
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl?: string;
    /** Browser origins allowed on MCP endpoints and OAuth pages besides the public URL's (MREG_ALLOWED_ORIGINS). */
    readonly allowedOrigins: readonly string[];
    readonly bodyLimitBytes: number;
    readonly shutdownTimeoutMs: number;
    readonly shutdownDelayMs: number;
    /** Proxy hops whose X-Forwarded-For is trusted for the client IP (Express `trust proxy`). */
    readonly trustProxy: number;
    /** When set, /metrics answers only requests bearing it. */
    readonly metricsToken?: string;
  };
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly dataDir: string;
  readonly database: {
    readonly kind: DatabaseKind;
    /** Set for `postgres`; the embedded database gets its URL when it starts. */
    readonly url?: string;
    readonly poolSize: number;
    readonly migrateOnBoot: boolean;
    /** How long startup retries a PostgreSQL that does not accept connections yet. */
    readonly waitMs: number;
  };
  readonly redisUrl?: string;
  readonly encryptionKey?: string;
  /** During a key rotation: the replaced key, still used to open values sealed before. */
  readonly encryptionKeyPrevious?: string;
  readonly auth: {
    readonly mode: AuthMode;
    readonly tenantId?: string;
    readonly clientId?: string;
    readonly clientSecret?: string;
    readonly entraAuthorityHost: string;
    readonly acceptV1Tokens: boolean;
    /** Delegated scope our API exposes; user tokens must carry it and the OAuth proxy requests it. */
    readonly apiScope: string;
    readonly allowedTenants: readonly string[];
    readonly superadminTenants: readonly string[];
    readonly roleMap: Readonly<Record<string, GatewayRole>>;
    readonly oauthCallbackUrl?: string;
    readonly oauthScopes: readonly string[];
    readonly toolAccessControl: boolean;
    readonly staticClients: readonly StaticOAuthClient[];
    /** Scopes entra_obo upstream auth may use, exactly (MREG_ENTRA_OBO_ALLOWED_SCOPES); empty: no allowlist. */
    readonly oboAllowedScopes: readonly string[];
  };
  readonly allowPrivateUpstreams: boolean;
  readonly healthChecksEnabled: boolean;
  /** Bounds on what capability discovery reads from an upstream and stores. */
  readonly discovery: DiscoveryLimits;
  readonly proxy: {
    readonly breakerFailures: number;
    readonly breakerResetMs: number;
    readonly breakerSuccesses: number;
    readonly maxStreamsPerPrincipal: number;
    readonly maxStreamsPerServer: number;
    /** Listening streams per upstream origin, on connections of their own (never the requests' pool). */
    readonly upstreamMaxStreams: number;
    /** A tenant's share of an upstream origin's listening streams. */
    readonly upstreamMaxStreamsPerTenant: number;
    /** Request connections per upstream origin. */
    readonly upstreamConnections: number;
    readonly sessionIdleMs: number;
    readonly maxEventBytes: number;
    readonly federationPageSize: number;
    /** `tools/list` on /servers/{id}/mcp answered from the approved snapshot rather than the upstream. */
    readonly toolListsFromRegistry: boolean;
  };
  readonly audit: {
    readonly enabled: boolean;
    readonly failClosed: boolean;
    readonly retentionDays: number;
    readonly maxParamsBytes: number;
    /** A batch not stored within this goes to the spill file (server-side statement timeout, client-side deadline). */
    readonly writeTimeoutMs: number;
    /** Events queued in memory at most; beyond, the queue moves to the spill file. */
    readonly queueMax: number;
    readonly redactKeys: readonly string[];
  };
  readonly rateLimit: {
    readonly enabled: boolean;
    /** The user tier (the seed's MREG_FASTMCP_REQUESTS_PER_MINUTE). */
    readonly requestsPerMinute: number;
    /** Requests per minute per caller by tier; `anonymous` is per client IP. */
    readonly tiers: Readonly<Record<GatewayRole | 'anonymous', number>>;
    readonly tenantMultiplier: number;
    /** Session housekeeping per caller per minute (initialize, ping, streams, DELETE), apart from work. */
    readonly housekeepingPerMinute: number;
    /** 0: no deployment-wide ceiling. */
    readonly globalPerMinute: number;
    /** 0: no per-second burst bucket. */
    readonly burstFactor: number;
    readonly oauthPerMinute: number;
    /** Per-caller limits per minute for the gateway's own /mcp tools, by tool name. */
    readonly tools: Readonly<Record<string, number>>;
    readonly failClosed: boolean;
    readonly redisKeyPrefix: string;
    readonly redisTimeoutMs: number;
  };
  /**
   * Every variable as `mcp-gateway config` prints it (`describeConfig`), secrets already masked. Computed once at
   * load, so the running gateway holds its configuration for display only in this masked form: nothing served over
   * HTTP can print a secret in clear, whatever a route asks for.
   */
  readonly settings: readonly ConfigEntry[];
}

export interface DiscoveryLimits {
  /** Bytes read from the upstream during one discovery, all requests together. */
  readonly maxBytes: number;
  /** Bytes of one definition (tool, prompt, resource, template) as JSON. */
  readonly maxItemBytes: number;
  readonly maxSchemaDepth: number;
  /** Entries per list (tools, prompts, resources, resource templates). */
  readonly maxItems: number;
  readonly maxDescriptionLength: number;
}

/** An OAuth client registered by configuration instead of dynamic registration. */
export interface StaticOAuthClient {
  readonly clientId: string;
  readonly clientName?: string;
  readonly redirectUris: readonly string[];
  readonly clientSecret?: string;
}

/** Injection token for the AppConfig value. */
export const APP_CONFIG = Symbol('AppConfig');
