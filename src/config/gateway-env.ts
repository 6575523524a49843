import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { EnvVar } from './env-var.decorator.js';
import { ToBoolean, ToByteSize, ToInteger, ToList } from './env-transforms.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i;
const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/i;
const REDIS_URL = /^rediss?:\/\/\S+$/i;
/** 32 random bytes, as 64 hex characters or 43/44 base64 characters. */
const AES_256_KEY = /^([0-9a-f]{64}|[A-Za-z0-9+/_-]{43}=?)$/i;
/** One or more keys, comma-separated (up to 5): every key a value may still be sealed with. */
const AES_256_KEYS = /^([0-9a-f]{64}|[A-Za-z0-9+/_-]{43}=?)(,([0-9a-f]{64}|[A-Za-z0-9+/_-]{43}=?)){0,4}$/i;
const HOSTNAME = /^[A-Za-z0-9.:[\]-]{1,253}$/;
/** An OAuth scope value (RFC 6749 §3.3: space-separated scope tokens), as long as upstreamAuth.scope may be. */
const OAUTH_SCOPE = /^(?=.{1,1024}$)[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

const got = (args: ValidationArguments): string => ` (got ${JSON.stringify(args.value)})`;
const intMessage = (min: number, max: number) => (args: ValidationArguments) =>
  `must be an integer from ${min} to ${max}${got(args)}`;
const boolMessage = (args: ValidationArguments) => `must be true or false${got(args)}`;
const urlMessage = (what: string) => (args: ValidationArguments) => `must be ${what}${got(args)}`;

/**
 * Every environment variable the gateway reads, with its default, validation and documentation.
 * Values arrive as strings; the transforms convert them and the validators reject what is left malformed.
 * Variables declared for later layers say so in `usedBy`, so `mcp-gateway config` shows them with their defaults today.
 */
export class GatewayEnv {
  @EnvVar({ description: 'Runtime environment: development, production or test.' })
  @IsIn(NODE_ENVS, { message: (a) => `must be one of ${NODE_ENVS.join(', ')}${got(a)}` })
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  // --- HTTP server -------------------------------------------------------------------------------------------
  @EnvVar({
    description:
      'Interface to listen on. Default: 0.0.0.0 with Entra ID; 127.0.0.1 in local identity mode, whose sign-in form lets anyone who reaches it in as anyone.',
  })
  @IsOptional()
  @Matches(HOSTNAME, { message: urlMessage('a hostname or IP address') })
  MREG_HOST?: string;

  @EnvVar({ description: 'TCP port to listen on (0 picks a free port).' })
  @ToInteger()
  @IsInt({ message: intMessage(0, 65535) })
  @Min(0, { message: intMessage(0, 65535) })
  @Max(65535, { message: intMessage(0, 65535) })
  MREG_PORT = 8000;

  @EnvVar({
    description: 'Public base URL clients use (behind a proxy or ingress); used for OAuth metadata.',
  })
  @IsOptional()
  @Matches(HTTP_URL, { message: urlMessage('an http(s) URL without query or fragment') })
  MREG_PUBLIC_URL?: string;

  @EnvVar({
    description:
      'Browser origins allowed on the MCP endpoints and OAuth pages besides the public URL (and, in local mode, loopback), comma-separated; a request with any other Origin gets 403 ORIGIN_NOT_ALLOWED.',
  })
  @IsOptional()
  @ToList()
  @ArrayMaxSize(100)
  @Matches(/^https?:\/\/[^\s/?#]+$/i, {
    each: true,
    message: (a) => `must be comma-separated origins such as https://app.example.com${got(a)}`,
  })
  MREG_ALLOWED_ORIGINS?: string[];

  @EnvVar({ description: 'Largest accepted request body on any route, including /mcp (e.g. 1mb, 512kb).' })
  @ToByteSize()
  @IsInt({ message: urlMessage('a size such as 1mb, 512kb or a number of bytes, from 1kb to 64mb') })
  @Min(1024, { message: urlMessage('at least 1kb') })
  @Max(64 * 1024 * 1024, { message: urlMessage('at most 64mb') })
  MREG_BODY_LIMIT: number = 1024 * 1024;

  @EnvVar({ description: 'How long shutdown waits for in-flight requests before closing connections (ms).' })
  @ToInteger()
  @IsInt({ message: intMessage(0, 600000) })
  @Min(0, { message: intMessage(0, 600000) })
  @Max(600000, { message: intMessage(0, 600000) })
  MREG_SHUTDOWN_TIMEOUT_MS = 15000;

  @EnvVar({
    description:
      'How long readiness reports 503 before the listener closes on shutdown, so load balancers stop routing here first (ms).',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 300000) })
  @Min(0, { message: intMessage(0, 300000) })
  @Max(300000, { message: intMessage(0, 300000) })
  MREG_SHUTDOWN_DELAY_MS = 0;

  @EnvVar({
    description:
      'Bearer token Prometheus must present to scrape /metrics (its labels name tenants, servers and tools). Required in production; unset elsewhere: /metrics is public.',
    secret: 'full',
  })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    message: () => 'must be 16 to 256 printable characters without spaces',
  })
  MREG_METRICS_TOKEN?: string;

  @EnvVar({
    description:
      'Proxy hops in front of the gateway whose X-Forwarded-For is trusted for the client IP (0: the socket address). Set it behind an ingress, or every client shares its IP for IP-keyed rate limits.',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 10) })
  @Min(0, { message: intMessage(0, 10) })
  @Max(10, { message: intMessage(0, 10) })
  MREG_TRUST_PROXY = 0;

  @EnvVar({ description: 'Log level: fatal, error, warn, info, debug, trace or silent.' })
  @IsIn(LOG_LEVELS, { message: (a) => `must be one of ${LOG_LEVELS.join(', ')}${got(a)}` })
  MREG_LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  // --- Storage ------------------------------------------------------------------------------------------------
  @EnvVar({
    description: 'PostgreSQL URL. Unset: an embedded PGlite database under MREG_DATA_DIR.',
    secret: 'url-password',
  })
  @IsOptional()
  @Matches(POSTGRES_URL, { message: () => 'must be a postgres:// or postgresql:// URL' })
  MREG_DATABASE_URL?: string;

  @EnvVar({ description: 'Directory for the embedded database and other local state.' })
  @IsString()
  @Matches(/\S/, { message: 'must not be blank' })
  MREG_DATA_DIR = './.mcp-gateway';

  @EnvVar({ description: 'Maximum PostgreSQL connections per process.' })
  @ToInteger()
  @IsInt({ message: intMessage(1, 200) })
  @Min(1, { message: intMessage(1, 200) })
  @Max(200, { message: intMessage(1, 200) })
  MREG_DB_POOL_SIZE = 10;

  @EnvVar({
    description:
      'Apply pending migrations at startup (under an advisory lock). Off when a migration Job runs them.',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_MIGRATE_ON_BOOT = true;

  @EnvVar({
    description:
      'How long startup waits for PostgreSQL to accept connections (ms), retrying, so a gateway started before its database (compose, Kubernetes) comes up by itself. 0: fail at once. Wrong credentials or a missing database fail at once.',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 600000) })
  @Min(0, { message: intMessage(0, 600000) })
  @Max(600000, { message: intMessage(0, 600000) })
  MREG_DATABASE_WAIT_MS = 60000;

  @EnvVar({
    description: 'Redis URL for shared rate-limit counters across replicas. Unset: in-memory counters.',
    secret: 'url-password',
    usedBy: 'Audit and throttling',
  })
  @IsOptional()
  @Matches(REDIS_URL, { message: () => 'must be a redis:// or rediss:// URL' })
  MREG_REDIS_URL?: string;

  @EnvVar({
    description: 'AES-256 key (64 hex chars or base64 of 32 bytes) for secrets at rest and session sealing.',
    secret: 'full',
    usedBy: 'Auth, Registry, Proxy',
  })
  @IsOptional()
  @Matches(AES_256_KEY, {
    message: () => 'must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)',
  })
  MREG_ENCRYPTION_KEY?: string;

  @EnvVar({
    description:
      'Keys MREG_ENCRYPTION_KEY replaced (comma-separated, newest first, up to 5): values sealed with them still open; new ones use the current key.',
    secret: 'full',
    usedBy: 'Auth, Registry, Proxy',
  })
  @IsOptional()
  @Matches(AES_256_KEYS, {
    message: () =>
      'must be up to 5 comma-separated keys of 32 bytes, each as 64 hex characters or base64 (openssl rand -base64 32)',
  })
  MREG_ENCRYPTION_KEY_PREVIOUS?: string;

  // --- Identity (Entra ID) ------------------------------------------------------------------------------------
  @EnvVar({ description: 'Entra tenant id (GUID). Unset: local development identity mode.', usedBy: 'Auth' })
  @IsOptional()
  @Matches(GUID, { message: urlMessage('a GUID') })
  MREG_AZURE_TENANT_ID?: string;

  @EnvVar({ description: "The gateway app registration's client id (GUID).", usedBy: 'Auth' })
  @ValidateIf(
    (env: GatewayEnv) => env.MREG_AZURE_TENANT_ID !== undefined || env.MREG_AZURE_CLIENT_ID !== undefined,
  )
  @Matches(GUID, {
    message: (a) =>
      a.value === undefined ? 'is required when MREG_AZURE_TENANT_ID is set' : `must be a GUID${got(a)}`,
  })
  MREG_AZURE_CLIENT_ID?: string;

  @EnvVar({ description: "The gateway app registration's client secret.", secret: 'full', usedBy: 'Auth' })
  @IsOptional()
  @IsString()
  MREG_AZURE_CLIENT_SECRET?: string;

  @EnvVar({
    description: 'Entra authority host; override only for sovereign clouds or tests.',
    usedBy: 'Auth',
  })
  @Matches(HTTP_URL, { message: urlMessage('an http(s) URL') })
  MREG_ENTRA_AUTHORITY_HOST = 'https://login.microsoftonline.com';

  @EnvVar({
    description:
      'Delegated scope exposed by the gateway app (api://{client id}/<scope>); user tokens must carry it.',
    usedBy: 'Auth',
  })
  @Matches(/^[\w.-]{1,100}$/, { message: urlMessage('a scope name such as access_as_user') })
  MREG_ENTRA_API_SCOPE = 'access_as_user';

  @EnvVar({
    description: 'Also accept Entra v1 access tokens (iss https://sts.windows.net/{tid}/).',
    usedBy: 'Auth',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_ENTRA_ACCEPT_V1_TOKENS = false;

  @EnvVar({
    description:
      'Scopes registry servers may use for Entra on-behalf-of upstream auth (entra_obo), comma-separated, matched exactly; unset: any scope except one naming the gateway itself.',
    usedBy: 'Registry, Proxy',
  })
  @IsOptional()
  // Commas only: one entry may itself be a space-separated list of scopes, as an upstreamAuth.scope can be.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  )
  @ArrayMaxSize(100)
  @Matches(OAUTH_SCOPE, {
    each: true,
    message: (a) =>
      `must be comma-separated scopes such as api://hr-api/.default (at most 1024 characters each)${got(a)}`,
  })
  MREG_ENTRA_OBO_ALLOWED_SCOPES?: string[];

  @EnvVar({
    description: "Entra tenants whose users may sign in: '*' or GUIDs. Default: MREG_AZURE_TENANT_ID only.",
    usedBy: 'Auth',
  })
  @IsOptional()
  @ToList()
  @ArrayMaxSize(1000)
  @Matches(/^(\*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    each: true,
    message: (a) => `must be '*' or a comma-separated list of tenant GUIDs${got(a)}`,
  })
  MREG_ALLOWED_TENANTS?: string[];

  @EnvVar({ description: 'Entra tenants whose admins may administer every tenant (GUIDs).', usedBy: 'Auth' })
  @IsOptional()
  @ToList()
  @Matches(GUID, { each: true, message: (a) => `must be a comma-separated list of tenant GUIDs${got(a)}` })
  MREG_SUPERADMIN_TENANTS?: string[];

  @EnvVar({
    description: 'Entra app-role value to gateway role: "Gateway.Admin=admin,Ops=server_owner".',
    usedBy: 'Auth',
  })
  @IsOptional()
  @ToList()
  @Matches(/^[^=\s]+=(admin|server_owner|user)$/, {
    each: true,
    message: (a) =>
      `must be comma-separated AppRole=role pairs, role one of admin, server_owner, user${got(a)}`,
  })
  MREG_ROLE_MAP?: string[];

  @EnvVar({
    description:
      'Callback URL registered in Entra for the OAuth proxy (default: {public url}/oauth/callback).',
    usedBy: 'Auth',
  })
  @IsOptional()
  @Matches(HTTP_URL, { message: urlMessage('an http(s) URL') })
  MREG_FASTMCP_OAUTH_CALLBACK_URL?: string;

  @EnvVar({ description: 'Scopes requested from Entra besides the gateway API scope.', usedBy: 'Auth' })
  @ToList()
  @Matches(/^[\w.:/-]+$/, {
    each: true,
    message: (a) => `must be space- or comma-separated scope names${got(a)}`,
  })
  MREG_FASTMCP_OAUTH_SCOPES: string[] = ['openid', 'profile', 'email', 'offline_access'];

  @EnvVar({
    description:
      'Pre-registered OAuth clients, JSON: [{"client_id":"vscode","client_name":"VS Code","redirect_uris":["http://127.0.0.1/cb"],"client_secret":"..."}] (secret optional: public client).',
    secret: 'full',
    usedBy: 'Auth',
  })
  @IsOptional()
  @IsString()
  MREG_OAUTH_CLIENTS?: string;

  @EnvVar({
    description: 'Per-tool role checks on MCP tools (authentication always stays on).',
    usedBy: 'Auth',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_FASTMCP_ENABLE_TOOL_ACCESS_CONTROL = true;

  @EnvVar({
    description: 'Allow registering upstreams on private or loopback addresses (SSRF guard off).',
    usedBy: 'Registry',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_ALLOW_PRIVATE_UPSTREAMS = false;

  @EnvVar({
    description: 'Bearer token the registry CLI commands present to the running gateway (Entra mode).',
    secret: 'full',
    usedBy: 'Registry',
  })
  @IsOptional()
  @IsString()
  MREG_CLI_TOKEN?: string;

  @EnvVar({
    description: 'Run the background health checker (one active checker per server across replicas).',
    usedBy: 'Registry',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_HEALTH_CHECKS_ENABLED = true;

  @EnvVar({
    description:
      'Bytes an upstream may send during one capability discovery (registration or health check), every list page and stream together; past it the read stops and discovery fails with UPSTREAM_CAPABILITIES_TOO_LARGE (e.g. 8mb).',
    usedBy: 'Registry',
  })
  @ToByteSize()
  @IsInt({ message: urlMessage('a size such as 8mb or a number of bytes, from 64kb to 256mb') })
  @Min(64 * 1024, { message: urlMessage('at least 64kb') })
  @Max(256 * 1024 * 1024, { message: urlMessage('at most 256mb') })
  MREG_DISCOVERY_MAX_BYTES: number = 8 * 1024 * 1024;

  @EnvVar({
    description:
      'Bytes of one tool, prompt or resource definition as discovered (its JSON, schemas included; e.g. 64kb).',
    usedBy: 'Registry',
  })
  @ToByteSize()
  @IsInt({ message: urlMessage('a size such as 64kb or a number of bytes, from 1kb to 16mb') })
  @Min(1024, { message: urlMessage('at least 1kb') })
  @Max(16 * 1024 * 1024, { message: urlMessage('at most 16mb') })
  MREG_DISCOVERY_MAX_ITEM_BYTES: number = 64 * 1024;

  @EnvVar({
    description: "Nesting depth of a discovered tool's schemas and annotations.",
    usedBy: 'Registry',
  })
  @ToInteger()
  @IsInt({ message: intMessage(4, 256) })
  @Min(4, { message: intMessage(4, 256) })
  @Max(256, { message: intMessage(4, 256) })
  MREG_DISCOVERY_MAX_SCHEMA_DEPTH = 32;

  @EnvVar({
    description: 'Tools, prompts, resources and resource templates an upstream may list, each.',
    usedBy: 'Registry',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100000) })
  @Min(1, { message: intMessage(1, 100000) })
  @Max(100000, { message: intMessage(1, 100000) })
  MREG_DISCOVERY_MAX_ITEMS = 1000;

  @EnvVar({
    description:
      'Characters of a discovered description kept (longer ones are cut); names, titles and URIs have fixed bounds (256, 1024 and 4096).',
    usedBy: 'Registry',
  })
  @ToInteger()
  @IsInt({ message: intMessage(100, 1000000) })
  @Min(100, { message: intMessage(100, 1000000) })
  @Max(1000000, { message: intMessage(100, 1000000) })
  MREG_DISCOVERY_MAX_DESCRIPTION_LENGTH = 10000;

  @EnvVar({
    description: 'Failures within a minute that open an upstream endpoint breaker.',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000) })
  @Min(1, { message: intMessage(1, 1000) })
  @Max(1000, { message: intMessage(1, 1000) })
  MREG_PROXY_BREAKER_FAILURES = 5;

  @EnvVar({
    description: 'How long an open breaker waits before letting a probe request through (ms).',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(100, 3600000) })
  @Min(100, { message: intMessage(100, 3600000) })
  @Max(3600000, { message: intMessage(100, 3600000) })
  MREG_PROXY_BREAKER_RESET_MS = 60000;

  @EnvVar({
    description:
      'Successful calls in a row, after the probe, that close a breaker again (a failure before re-opens it).',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100) })
  @Min(1, { message: intMessage(1, 100) })
  @Max(100, { message: intMessage(1, 100) })
  MREG_PROXY_BREAKER_SUCCESSES = 3;

  @EnvVar({
    description:
      'A proxy session unused this long (ms) answers 404 so the client re-initializes (0: never). Exact with Redis.',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 604800000) })
  @Min(0, { message: intMessage(0, 604800000) })
  @Max(604800000, { message: intMessage(0, 604800000) })
  MREG_PROXY_SESSION_IDLE_MS = 1800000;

  @EnvVar({
    description:
      'Concurrent streamed (SSE) proxy responses one user may hold open, all servers together (an abuse cap).',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100000) })
  @Min(1, { message: intMessage(1, 100000) })
  @Max(100000, { message: intMessage(1, 100000) })
  MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL = 1000;

  @EnvVar({
    description: 'Concurrent streamed (SSE) proxy responses one user may hold open to one server.',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100000) })
  @Min(1, { message: intMessage(1, 100000) })
  @Max(100000, { message: intMessage(1, 100000) })
  MREG_PROXY_MAX_STREAMS_PER_SERVER = 64;

  @EnvVar({
    description:
      'Listening streams (GET) open to one upstream origin, all users together; each holds its own connection, apart from the pool that requests use. Past it: 503 UPSTREAM_BUSY.',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_PROXY_UPSTREAM_MAX_STREAMS = 10000;

  @EnvVar({
    description:
      "Listening streams one tenant may hold open to one upstream origin: its share of MREG_PROXY_UPSTREAM_MAX_STREAMS, so one tenant cannot take a shared upstream's every stream from the others.",
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT = 2500;

  @EnvVar({
    description:
      'Connections per upstream origin for requests (POST, DELETE); a request waits for one at most until its deadline.',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100000) })
  @Min(1, { message: intMessage(1, 100000) })
  @Max(100000, { message: intMessage(1, 100000) })
  MREG_PROXY_UPSTREAM_CONNECTIONS = 256;

  @EnvVar({
    description: 'Largest upstream SSE event or JSON response the proxy relays (bytes).',
    usedBy: 'Proxy',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1024, 268435456) })
  @Min(1024, { message: intMessage(1024, 268435456) })
  @Max(268435456, { message: intMessage(1024, 268435456) })
  MREG_PROXY_MAX_EVENT_BYTES = 16777216;

  @EnvVar({
    description:
      "Answer tools/list on /servers/{id}/mcp from the registry (the approved definitions the caller may call that the upstream offered at its last health check) instead of asking the upstream each time; false relays every tools/list and filters the upstream's answer.",
    usedBy: 'Proxy',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_PROXY_TOOL_LISTS_FROM_REGISTRY = true;

  @EnvVar({ description: 'Tools per tools/list page on /federated/mcp.', usedBy: 'Proxy' })
  @ToInteger()
  @IsInt({ message: intMessage(10, 10000) })
  @Min(10, { message: intMessage(10, 10000) })
  @Max(10000, { message: intMessage(10, 10000) })
  MREG_FEDERATION_PAGE_SIZE = 500;

  // --- Audit and throttling -----------------------------------------------------------------------------------
  @EnvVar({ description: 'Record audit events in PostgreSQL.', usedBy: 'Audit and throttling' })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_FASTMCP_ENABLE_AUDIT_LOGGING = true;

  @EnvVar({
    description: 'Fail admin mutations with 503 when their audit record cannot be made durable.',
    usedBy: 'Audit and throttling',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_AUDIT_FAIL_CLOSED = false;

  @EnvVar({
    description: 'Days audit events are kept before the retention job deletes them.',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 36500) })
  @Min(1, { message: intMessage(1, 36500) })
  @Max(36500, { message: intMessage(1, 36500) })
  MREG_AUDIT_RETENTION_DAYS = 365;

  @EnvVar({
    description:
      'Serialized size of audited params above which they are stored as a truncated preview (bytes).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(256, 1048576) })
  @Min(256, { message: intMessage(256, 1048576) })
  @Max(1048576, { message: intMessage(256, 1048576) })
  MREG_AUDIT_MAX_PARAMS_BYTES = 4096;

  @EnvVar({
    description:
      'Longest wait for one batch of audit events to be stored (ms); a batch that takes longer goes to the spill file.',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1000, 300000) })
  @Min(1000, { message: intMessage(1000, 300000) })
  @Max(300000, { message: intMessage(1000, 300000) })
  MREG_AUDIT_WRITE_TIMEOUT_MS = 10000;

  @EnvVar({
    description:
      'Audit events held in memory at most while PostgreSQL is slow; beyond that the queue moves to the spill file.',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1000, 10000000) })
  @Min(1000, { message: intMessage(1000, 10000000) })
  @Max(10000000, { message: intMessage(1000, 10000000) })
  MREG_AUDIT_QUEUE_MAX = 50000;

  @EnvVar({
    description:
      'More param names to redact in audit records, besides token/secret/password/... (comma-separated).',
    usedBy: 'Audit and throttling',
  })
  @IsOptional()
  @ToList()
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    each: true,
    message: (a) => `must be comma-separated key names${got(a)}`,
  })
  MREG_AUDIT_REDACT_KEYS?: string[];

  @EnvVar({ description: 'Enforce rate limits.', usedBy: 'Audit and throttling' })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_FASTMCP_ENABLE_RATE_LIMITING = true;

  @EnvVar({
    description: 'Requests per minute for the user tier (admin and server_owner tiers scale from it).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_FASTMCP_REQUESTS_PER_MINUTE = 100;

  @EnvVar({
    description: 'Requests per minute for the admin tier. Default: 10 × the user tier.',
    usedBy: 'Audit and throttling',
  })
  @IsOptional()
  @ToInteger()
  @IsInt({ message: intMessage(1, 10000000) })
  @Min(1, { message: intMessage(1, 10000000) })
  @Max(10000000, { message: intMessage(1, 10000000) })
  MREG_RATE_LIMIT_ADMIN_PER_MINUTE?: number;

  @EnvVar({
    description: 'Requests per minute for the server_owner tier. Default: 5 × the user tier.',
    usedBy: 'Audit and throttling',
  })
  @IsOptional()
  @ToInteger()
  @IsInt({ message: intMessage(1, 10000000) })
  @Min(1, { message: intMessage(1, 10000000) })
  @Max(10000000, { message: intMessage(1, 10000000) })
  MREG_RATE_LIMIT_SERVER_OWNER_PER_MINUTE?: number;

  @EnvVar({
    description:
      'Requests per minute per client IP on public routes without a token (OAuth routes excepted).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_RATE_LIMIT_ANONYMOUS_PER_MINUTE = 20;

  @EnvVar({
    description:
      "A tenant's requests per minute, all its callers together, as a multiple of the user tier (default: 500 users' worth). A tenant's own settings.requestsPerMinute overrides it.",
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 100000) })
  @Min(1, { message: intMessage(1, 100000) })
  @Max(100000, { message: intMessage(1, 100000) })
  MREG_RATE_LIMIT_TENANT_MULTIPLIER = 500;

  @EnvVar({
    description:
      "Session housekeeping per caller per minute (initialize, initialized, ping, opening a stream, DELETE on the MCP endpoints); it does not spend the caller's budget for work.",
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE = 1200;

  @EnvVar({
    description: 'Requests per minute for the whole deployment, every caller together (0: no ceiling).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 100000000) })
  @Min(0, { message: intMessage(0, 100000000) })
  @Max(100000000, { message: intMessage(0, 100000000) })
  MREG_RATE_LIMIT_GLOBAL_PER_MINUTE = 0;

  @EnvVar({
    description:
      'Burst allowance: requests per second per caller = ceil(tier per minute / 60 × factor), at least 5 (0: no burst limit).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(0, 60) })
  @Min(0, { message: intMessage(0, 60) })
  @Max(60, { message: intMessage(0, 60) })
  MREG_RATE_LIMIT_BURST_FACTOR = 15;

  @EnvVar({
    description:
      'Requests per minute per client IP on the OAuth endpoints (/oauth/*, authorization server metadata).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(1, 1000000) })
  @Min(1, { message: intMessage(1, 1000000) })
  @Max(1000000, { message: intMessage(1, 1000000) })
  MREG_RATE_LIMIT_OAUTH_PER_MINUTE = 30;

  @EnvVar({
    description:
      'Per-caller limits for the gateway\'s own /mcp tools, per minute: "proxy_request=60,register_server=10".',
    usedBy: 'Audit and throttling',
  })
  @IsOptional()
  @ToList()
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9_.-]{1,128}=[1-9]\d{0,6}$/, {
    each: true,
    message: (a) => `must be comma-separated tool=requestsPerMinute pairs${got(a)}`,
  })
  MREG_RATE_LIMIT_TOOLS?: string[];

  @EnvVar({
    description:
      'Refuse requests (503 RATE_LIMIT_UNAVAILABLE) while the Redis rate-limit store is unreachable, instead of letting them through.',
    usedBy: 'Audit and throttling',
  })
  @ToBoolean()
  @IsBoolean({ message: boolMessage })
  MREG_RATE_LIMIT_FAIL_CLOSED = false;

  @EnvVar({
    description: 'Prefix of the rate-limit counter keys in Redis (separates deployments sharing one Redis).',
    usedBy: 'Audit and throttling',
  })
  @Matches(/^[\w:.{}-]{1,64}$/, { message: urlMessage('1-64 characters of letters, digits and _ : . { } -') })
  MREG_RATE_LIMIT_REDIS_PREFIX = 'mreg:rl:';

  @EnvVar({
    description:
      'How long a request waits for the Redis rate-limit store before it counts as unreachable (ms).',
    usedBy: 'Audit and throttling',
  })
  @ToInteger()
  @IsInt({ message: intMessage(10, 5000) })
  @Min(10, { message: intMessage(10, 5000) })
  @Max(5000, { message: intMessage(10, 5000) })
  MREG_RATE_LIMIT_REDIS_TIMEOUT_MS = 250;
}
