/**
 * The registry's validation limits, each defined once. The REST DTOs (class-validator), their OpenAPI metadata and
 * the MCP tools' zod shapes all read them from here, so the rule a caller is told and the rule they are held to
 * cannot drift apart (`registry.limits.spec.ts` checks the three agree at every bound).
 */

/** Inclusive bounds of a whole number. */
export interface IntBounds {
  readonly min: number;
  readonly max: number;
}

// A server's identity.

/** A server name is a slug of at most 63 characters (one DNS label). */
export const SERVER_NAME_MAX_LENGTH = 63;
/** A server named by id or name: a UUID is 36 characters, a name at most 63. */
export const SERVER_REF_MAX_LENGTH = 64;
/** The slug a server name is, in regular-expression syntax (also shown to MCP clients in the tool's schema). */
export const SERVER_NAME_SLUG = `[a-z0-9][a-z0-9-]{0,${SERVER_NAME_MAX_LENGTH - 1}}`;
/** A slug that cannot be mistaken for a server id (ids and names share the same lookups). */
export const SERVER_NAME_PATTERN = new RegExp(
  `^(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)${SERVER_NAME_SLUG}$`,
);

// What an owner may set on a server (registration, update and server.json import).

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const VERSION_MAX_LENGTH = 64;
/** Endpoints, OAuth token endpoints, websites. */
export const URL_MAX_LENGTH = 2048;
export const MAX_ENDPOINTS = 10;
export const ENDPOINT_WEIGHT: IntBounds = { min: 1, max: 100 };

export const MAX_TAGS = 20;
export const TAG_MAX_LENGTH = 50;
export const TAG_PATTERN = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${TAG_MAX_LENGTH - 1}}$`);

export const MAX_AUDIT_REDACT_KEYS = 50;
export const AUDIT_REDACT_KEY_MAX_LENGTH = 64;
export const AUDIT_REDACT_KEY_PATTERN = new RegExp(`^[A-Za-z0-9_.-]{1,${AUDIT_REDACT_KEY_MAX_LENGTH}}$`);

/** Per-tool maps (`toolRoles`, `timeouts.tools`, `rateLimits.tools`): how many tools, and how long a name. */
export const MAX_TOOL_ENTRIES = 100;
export const TOOL_NAME_MAX_LENGTH = 128;

/** Requests per minute one caller may make, on a server or on one of its tools. */
export const RATE_LIMIT_PER_MINUTE: IntBounds = { min: 1, max: 100_000 };

export const CONNECT_TIMEOUT_MS: IntBounds = { min: 100, max: 60_000 };
/** A request's timeout, for the server and for one of its (long-running) tools. */
export const REQUEST_TIMEOUT_MS: IntBounds = { min: 1000, max: 3_600_000 };

export const HEALTH_CHECK_BOUNDS = {
  intervalSeconds: { min: 5, max: 86_400 },
  timeoutMs: { min: 500, max: 120_000 },
  unhealthyThreshold: { min: 1, max: 50 },
  degradedLatencyMs: { min: 50, max: 120_000 },
} as const satisfies Record<string, IntBounds>;

/** Upstream credentials: header names and the sizes of what is stored (sealed) for them. */
export const UPSTREAM_HEADER_NAME_MAX_LENGTH = 64;
export const UPSTREAM_HEADER_NAME_PATTERN = new RegExp(
  `^[A-Za-z0-9-]{1,${UPSTREAM_HEADER_NAME_MAX_LENGTH}}$`,
);
export const UPSTREAM_AUTH_MAX_LENGTH = {
  value: 8192,
  clientId: 256,
  clientSecret: 4096,
  scope: 1024,
  audience: 1024,
} as const;

// Listing and searching.

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** The official Registry API's own default page size. */
export const OFFICIAL_DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_NUMBER = 100_000;
export const DEFAULT_TOOL_SEARCH_LIMIT = 50;
/** Words or a substring to look for. */
export const SEARCH_TEXT_MAX_LENGTH = 100;
export const CURSOR_MAX_LENGTH = 200;
/** The official Registry API's `version` filter, accepted for compatibility. */
export const OFFICIAL_VERSION_FILTER_MAX_LENGTH = 50;

/** A `server.json` of the official MCP Registry, beyond the fields that become the server's own settings. */
export const SERVER_JSON_LIMITS = {
  schemaUrlLength: 500,
  nameLength: 200,
  headerDescriptionLength: 1000,
  headerFormatLength: 200,
  headerDefaultLength: 8192,
  headerChoices: 50,
  headersPerRemote: 20,
  icons: 20,
  packages: 50,
} as const;
