import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import type { AppConfig, GatewayRole, StaticOAuthClient } from './app-config.js';
import { describeConfig } from './describe-config.js';
import { envVarsOf } from './env-var.decorator.js';
import { GatewayEnv } from './gateway-env.js';

export type ValueSource = 'env' | '.env' | 'default';

export interface ConfigProblem {
  variable: string;
  message: string;
}

export interface LoadedConfig {
  config: AppConfig;
  env: GatewayEnv;
  sources: Readonly<Record<string, ValueSource>>;
  /** About the variables themselves (unknown names); every command prints them. */
  warnings: string[];
  /** About how a gateway would serve with this configuration; `serve` logs them and `validate` reports them. */
  servingWarnings: string[];
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/** Entra app-role values that map onto gateway roles without any MREG_ROLE_MAP entry. */
const DEFAULT_ROLE_MAP: Record<string, GatewayRole> = {
  admin: 'admin',
  server_owner: 'server_owner',
  user: 'user',
  'Gateway.Admin': 'admin',
  'Gateway.ServerOwner': 'server_owner',
  'Gateway.User': 'user',
};

export interface LoadConfigOptions {
  /** Directory whose `.env` is read; `false` to skip it. Default: the working directory. */
  dotenvDir?: string | false;
}

/**
 * Reads, validates and types the configuration. Real environment variables win over `.env`; empty values count as
 * unset (as Kubernetes and .env files often produce them). Every problem is collected before failing.
 */
export function loadConfig(processEnv: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): LoadedConfig {
  const descriptors = envVarsOf(GatewayEnv);
  const known = new Set(descriptors.map((d) => d.name));
  const fileEnv = readDotenv(options.dotenvDir === undefined ? process.cwd() : options.dotenvDir);

  const raw: Record<string, string> = {};
  const sources: Record<string, ValueSource> = {};
  for (const { name } of descriptors) {
    const fromEnv = nonEmpty(processEnv[name]);
    const fromFile = nonEmpty(fileEnv[name]);
    const value = fromEnv ?? fromFile;
    sources[name] = fromEnv !== undefined ? 'env' : fromFile !== undefined ? '.env' : 'default';
    if (value !== undefined) raw[name] = value;
  }

  const env = plainToInstance(GatewayEnv, raw, { exposeDefaultValues: true });
  const problems = flattenErrors(validateSync(env, { forbidUnknownValues: false }));
  problems.push(...crossFieldProblems(env));
  if (problems.length > 0) throw new ConfigValidationError(problems);

  const unknown = [...Object.keys(processEnv), ...Object.keys(fileEnv)].filter(
    (name) => name.startsWith('MREG_') && !known.has(name) && !name.startsWith('MREG_TEST_'),
  );
  const warnings = [...new Set(unknown)].map((name) => {
    const hint = closestName(name, [...known]);
    return `Unknown variable ${name} is ignored${hint ? ` (did you mean ${hint}?)` : ''}`;
  });
  const servingWarnings: string[] = [];
  if (env.MREG_DATABASE_URL !== undefined && env.MREG_ENCRYPTION_KEY === undefined) {
    servingWarnings.push(
      'MREG_ENCRYPTION_KEY is unset on PostgreSQL: upstream credentials cannot be stored, and the token signing keys ' +
        'and proxy session keys live in the data directory (MREG_DATA_DIR), which every process of this gateway must ' +
        'share. For several replicas set MREG_ENCRYPTION_KEY (openssl rand -base64 32).',
    );
  }
  if (env.MREG_AZURE_TENANT_ID !== undefined && env.MREG_AZURE_CLIENT_SECRET === undefined) {
    servingWarnings.push(
      'MREG_AZURE_CLIENT_SECRET is unset: Entra access tokens sent as bearer tokens work, but the OAuth sign-in of MCP ' +
        "clients (the consent page) and entra_obo upstream credentials cannot reach Entra. Set it to a client secret of the gateway's app registration.",
    );
  }
  const config: AppConfig = { ...toAppConfig(env), settings: describeConfig({ env, sources }) };
  const host = config.http.host;
  if (env.MREG_METRICS_TOKEN === undefined && !bindsLoopbackOnly(host)) {
    servingWarnings.push(
      `MREG_METRICS_TOKEN is unset and the gateway listens on ${host}: /metrics answers anyone who reaches it and ` +
        "names every tenant's servers and tools. Set it (openssl rand -hex 32) and give it to Prometheus as a bearer token.",
    );
  }
  return { config, env, sources, warnings, servingWarnings };
}

/** A listen address only this machine reaches (config reads no other folder, so it does not borrow common/net's). */
function bindsLoopbackOnly(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function crossFieldProblems(env: GatewayEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (env.NODE_ENV === 'production' && env.MREG_AZURE_TENANT_ID === undefined) {
    problems.push({
      variable: 'MREG_AZURE_TENANT_ID',
      message: 'is required when NODE_ENV=production (local identity mode is for development only)',
    });
  }
  const clients = parseStaticClients(env.MREG_OAUTH_CLIENTS);
  if (typeof clients === 'string') problems.push({ variable: 'MREG_OAUTH_CLIENTS', message: clients });
  if (env.NODE_ENV === 'production' && env.MREG_PUBLIC_URL === undefined) {
    problems.push({
      variable: 'MREG_PUBLIC_URL',
      message:
        'is required when NODE_ENV=production (OAuth issuer, redirect and cookie security depend on it)',
    });
  }
  if (env.NODE_ENV === 'production' && env.MREG_ENCRYPTION_KEY === undefined) {
    problems.push({
      variable: 'MREG_ENCRYPTION_KEY',
      message:
        'is required when NODE_ENV=production (signing keys and stored Entra tokens are sealed with it)',
    });
  }
  if (env.NODE_ENV === 'production' && env.MREG_METRICS_TOKEN === undefined) {
    problems.push({
      variable: 'MREG_METRICS_TOKEN',
      message:
        "is required when NODE_ENV=production (/metrics names every tenant's servers and tools; Prometheus presents it as a bearer token)",
    });
  }
  const clientId = env.MREG_AZURE_CLIENT_ID?.toLowerCase();
  if (
    clientId &&
    env.MREG_ENTRA_OBO_ALLOWED_SCOPES?.some((scope) => scope.toLowerCase().includes(clientId))
  ) {
    problems.push({
      variable: 'MREG_ENTRA_OBO_ALLOWED_SCOPES',
      message:
        "must not name the gateway's own app (MREG_AZURE_CLIENT_ID): its tokens must never go to an upstream",
    });
  }
  return problems;
}

function toAppConfig(env: GatewayEnv): Omit<AppConfig, 'settings'> {
  const entra = env.MREG_AZURE_TENANT_ID !== undefined;
  const roleMap: Record<string, GatewayRole> = { ...DEFAULT_ROLE_MAP };
  for (const pair of env.MREG_ROLE_MAP ?? []) {
    const [appRole, role] = pair.split('=') as [string, GatewayRole];
    roleMap[appRole] = role;
  }
  return {
    nodeEnv: env.NODE_ENV,
    http: {
      // Local identity mode's development sign-in lets anyone in as anyone: only this machine, unless asked otherwise.
      host: env.MREG_HOST ?? (env.MREG_AZURE_TENANT_ID ? '0.0.0.0' : '127.0.0.1'),
      port: env.MREG_PORT,
      publicUrl: env.MREG_PUBLIC_URL?.replace(/\/+$/, ''),
      allowedOrigins: env.MREG_ALLOWED_ORIGINS ?? [],
      bodyLimitBytes: env.MREG_BODY_LIMIT,
      shutdownTimeoutMs: env.MREG_SHUTDOWN_TIMEOUT_MS,
      shutdownDelayMs: env.MREG_SHUTDOWN_DELAY_MS,
      trustProxy: env.MREG_TRUST_PROXY,
      metricsToken: env.MREG_METRICS_TOKEN,
    },
    logLevel: env.MREG_LOG_LEVEL,
    dataDir: resolve(env.MREG_DATA_DIR),
    database: {
      kind: env.MREG_DATABASE_URL ? 'postgres' : 'embedded',
      url: env.MREG_DATABASE_URL,
      poolSize: env.MREG_DB_POOL_SIZE,
      migrateOnBoot: env.MREG_MIGRATE_ON_BOOT,
      waitMs: env.MREG_DATABASE_WAIT_MS,
    },
    redisUrl: env.MREG_REDIS_URL,
    encryptionKey: env.MREG_ENCRYPTION_KEY,
    encryptionKeyPrevious: env.MREG_ENCRYPTION_KEY_PREVIOUS,
    auth: {
      mode: entra ? 'entra' : 'local',
      tenantId: env.MREG_AZURE_TENANT_ID,
      clientId: env.MREG_AZURE_CLIENT_ID,
      clientSecret: env.MREG_AZURE_CLIENT_SECRET,
      entraAuthorityHost: env.MREG_ENTRA_AUTHORITY_HOST.replace(/\/+$/, ''),
      acceptV1Tokens: env.MREG_ENTRA_ACCEPT_V1_TOKENS,
      apiScope: env.MREG_ENTRA_API_SCOPE,
      allowedTenants:
        env.MREG_ALLOWED_TENANTS ?? (env.MREG_AZURE_TENANT_ID ? [env.MREG_AZURE_TENANT_ID] : []),
      superadminTenants: env.MREG_SUPERADMIN_TENANTS ?? [],
      roleMap,
      oauthCallbackUrl: env.MREG_FASTMCP_OAUTH_CALLBACK_URL,
      oauthScopes: env.MREG_FASTMCP_OAUTH_SCOPES,
      toolAccessControl: env.MREG_FASTMCP_ENABLE_TOOL_ACCESS_CONTROL,
      staticClients: parseStaticClients(env.MREG_OAUTH_CLIENTS) as StaticOAuthClient[],
      oboAllowedScopes: env.MREG_ENTRA_OBO_ALLOWED_SCOPES ?? [],
    },
    allowPrivateUpstreams: env.MREG_ALLOW_PRIVATE_UPSTREAMS,
    healthChecksEnabled: env.MREG_HEALTH_CHECKS_ENABLED,
    discovery: {
      maxBytes: env.MREG_DISCOVERY_MAX_BYTES,
      maxItemBytes: env.MREG_DISCOVERY_MAX_ITEM_BYTES,
      maxSchemaDepth: env.MREG_DISCOVERY_MAX_SCHEMA_DEPTH,
      maxItems: env.MREG_DISCOVERY_MAX_ITEMS,
      maxDescriptionLength: env.MREG_DISCOVERY_MAX_DESCRIPTION_LENGTH,
    },
    proxy: {
      breakerFailures: env.MREG_PROXY_BREAKER_FAILURES,
      breakerResetMs: env.MREG_PROXY_BREAKER_RESET_MS,
      breakerSuccesses: env.MREG_PROXY_BREAKER_SUCCESSES,
      maxStreamsPerPrincipal: env.MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL,
      maxStreamsPerServer: env.MREG_PROXY_MAX_STREAMS_PER_SERVER,
      upstreamMaxStreams: env.MREG_PROXY_UPSTREAM_MAX_STREAMS,
      upstreamMaxStreamsPerTenant: env.MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT,
      upstreamConnections: env.MREG_PROXY_UPSTREAM_CONNECTIONS,
      sessionIdleMs: env.MREG_PROXY_SESSION_IDLE_MS,
      maxEventBytes: env.MREG_PROXY_MAX_EVENT_BYTES,
      federationPageSize: env.MREG_FEDERATION_PAGE_SIZE,
      toolListsFromRegistry: env.MREG_PROXY_TOOL_LISTS_FROM_REGISTRY,
    },
    audit: {
      enabled: env.MREG_FASTMCP_ENABLE_AUDIT_LOGGING,
      failClosed: env.MREG_AUDIT_FAIL_CLOSED,
      retentionDays: env.MREG_AUDIT_RETENTION_DAYS,
      maxParamsBytes: env.MREG_AUDIT_MAX_PARAMS_BYTES,
      writeTimeoutMs: env.MREG_AUDIT_WRITE_TIMEOUT_MS,
      queueMax: env.MREG_AUDIT_QUEUE_MAX,
      redactKeys: env.MREG_AUDIT_REDACT_KEYS ?? [],
    },
    rateLimit: rateLimitConfig(env),
  };
}

/** Tier defaults keep the seed's ratios (admin 10×, server_owner 5× the user tier) unless set explicitly. */
function rateLimitConfig(env: GatewayEnv): AppConfig['rateLimit'] {
  const user = env.MREG_FASTMCP_REQUESTS_PER_MINUTE;
  const tools: Record<string, number> = {};
  for (const pair of env.MREG_RATE_LIMIT_TOOLS ?? []) {
    const [name, limit] = pair.split('=') as [string, string];
    tools[name] = Number(limit);
  }
  return {
    enabled: env.MREG_FASTMCP_ENABLE_RATE_LIMITING,
    requestsPerMinute: user,
    tiers: {
      admin: env.MREG_RATE_LIMIT_ADMIN_PER_MINUTE ?? user * 10,
      server_owner: env.MREG_RATE_LIMIT_SERVER_OWNER_PER_MINUTE ?? user * 5,
      user,
      anonymous: env.MREG_RATE_LIMIT_ANONYMOUS_PER_MINUTE,
    },
    tenantMultiplier: env.MREG_RATE_LIMIT_TENANT_MULTIPLIER,
    housekeepingPerMinute: env.MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE,
    globalPerMinute: env.MREG_RATE_LIMIT_GLOBAL_PER_MINUTE,
    burstFactor: env.MREG_RATE_LIMIT_BURST_FACTOR,
    oauthPerMinute: env.MREG_RATE_LIMIT_OAUTH_PER_MINUTE,
    tools,
    failClosed: env.MREG_RATE_LIMIT_FAIL_CLOSED,
    redisKeyPrefix: env.MREG_RATE_LIMIT_REDIS_PREFIX,
    redisTimeoutMs: env.MREG_RATE_LIMIT_REDIS_TIMEOUT_MS,
  };
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** The static OAuth clients, or why the variable is malformed (never echoing it: it may hold secrets). */
function parseStaticClients(json: string | undefined): StaticOAuthClient[] | string {
  if (json === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'must be a JSON array of clients';
  }
  if (!Array.isArray(parsed)) return 'must be a JSON array of clients';
  const clients: StaticOAuthClient[] = [];
  for (const [index, entry] of parsed.entries()) {
    const client = entry as Record<string, unknown>;
    const where = `client ${index + 1}`;
    if (typeof client?.client_id !== 'string' || !CLIENT_ID.test(client.client_id))
      return `${where}: client_id must be 1-128 URL-safe characters`;
    const uris = client.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.some((uri) => typeof uri !== 'string'))
      return `${where}: redirect_uris must be a non-empty list of URIs`;
    if (
      client.client_secret !== undefined &&
      (typeof client.client_secret !== 'string' || client.client_secret.length < 16)
    ) {
      return `${where}: client_secret must be a string of at least 16 characters`;
    }
    clients.push({
      clientId: client.client_id,
      clientName: typeof client.client_name === 'string' ? client.client_name : undefined,
      redirectUris: uris as string[],
      clientSecret: client.client_secret,
    });
  }
  return clients;
}

function readDotenv(dir: string | false): Record<string, string> {
  if (dir === false) return {};
  const file = resolve(dir, '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function flattenErrors(errors: ValidationError[]): ConfigProblem[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {})
      // One message per variable. Decorators register bottom-up, so the last constraint is the top-most decorator,
      // the type check ("must be an integer from 0 to 65535"), which already says what a range check would.
      .slice(-1)
      .map((message) => ({ variable: error.property, message: message.replace(`${error.property} `, '') })),
  );
}

function closestName(name: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(name, candidate);
    if (distance <= 3 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
