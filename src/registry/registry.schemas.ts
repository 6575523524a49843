import { z } from 'zod';
import { ALL_ROLES } from '../common/principal.js';
import {
  LB_STRATEGIES,
  SERVER_STATUSES,
  TRANSPORTS,
  UPSTREAM_AUTH_TYPES,
  VISIBILITIES,
} from './registry.types.js';
import {
  CONNECT_TIMEOUT_MS,
  DESCRIPTION_MAX_LENGTH,
  ENDPOINT_WEIGHT,
  HEALTH_CHECK_BOUNDS,
  type IntBounds,
  MAX_AUDIT_REDACT_KEYS,
  MAX_ENDPOINTS,
  MAX_PAGE_SIZE,
  MAX_TAGS,
  RATE_LIMIT_PER_MINUTE,
  REQUEST_TIMEOUT_MS,
  SERVER_REF_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  URL_MAX_LENGTH,
  VERSION_MAX_LENGTH,
} from './registry.limits.js';

/**
 * Zod schemas of the registry's MCP tools: they give clients JSON schemas to work with. The arguments are then
 * validated again with the REST DTO classes, so both surfaces apply one set of rules; the limits both state come
 * from `registry.limits.ts`.
 */
const roles = z.array(z.enum(ALL_ROLES));
const intWithin = (bounds: IntBounds) => z.number().int().min(bounds.min).max(bounds.max);

export const serverSettingsShape = {
  title: z.string().max(TITLE_MAX_LENGTH).optional(),
  description: z.string().max(DESCRIPTION_MAX_LENGTH).optional(),
  version: z.string().max(VERSION_MAX_LENGTH).optional(),
  url: z.string().max(URL_MAX_LENGTH).optional().describe('Endpoint URL (shorthand for one endpoint)'),
  endpoints: z
    .array(z.object({ url: z.string(), weight: intWithin(ENDPOINT_WEIGHT).optional() }))
    .max(MAX_ENDPOINTS)
    .optional(),
  transport: z.enum(TRANSPORTS).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  requiredRoles: roles.optional(),
  tags: z.array(z.string()).max(MAX_TAGS).optional(),
  toolRoles: z
    .record(z.string(), roles)
    .optional()
    .describe(
      'Per-tool role rules: { toolName: [roles] }; a caller needs one of them to see or call the tool',
    ),
  identityHeaders: z
    .boolean()
    .optional()
    .describe("Send the caller's identity upstream (signed X-Mcp-Identity)"),
  auditRedactKeys: z
    .array(z.string())
    .max(MAX_AUDIT_REDACT_KEYS)
    .optional()
    .describe('Argument names whose values the audit trail redacts for this server'),
  rateLimits: z
    .object({
      requestsPerMinute: intWithin(RATE_LIMIT_PER_MINUTE).optional(),
      tools: z.record(z.string(), intWithin(RATE_LIMIT_PER_MINUTE)).optional(),
    })
    .optional()
    .describe(
      'Per-caller limits per minute: every JSON-RPC message to this server, and tools/call by tool name',
    ),
  upstreamAuth: z
    .object({
      type: z.enum(UPSTREAM_AUTH_TYPES),
      headerName: z.string().optional(),
      value: z.string().optional(),
      tokenUrl: z.string().optional(),
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      scope: z.string().optional(),
      audience: z.string().optional(),
    })
    .optional()
    .describe('How the gateway authenticates upstream; secrets are stored encrypted and never returned'),
  timeouts: z
    .object({
      connectMs: intWithin(CONNECT_TIMEOUT_MS).optional(),
      requestMs: intWithin(REQUEST_TIMEOUT_MS).optional(),
      tools: z.record(z.string(), intWithin(REQUEST_TIMEOUT_MS)).optional(),
    })
    .optional(),
  healthCheck: z
    .object({
      intervalSeconds: intWithin(HEALTH_CHECK_BOUNDS.intervalSeconds).optional(),
      timeoutMs: intWithin(HEALTH_CHECK_BOUNDS.timeoutMs).optional(),
      unhealthyThreshold: intWithin(HEALTH_CHECK_BOUNDS.unhealthyThreshold).optional(),
      degradedLatencyMs: intWithin(HEALTH_CHECK_BOUNDS.degradedLatencyMs).optional(),
    })
    .optional(),
  lbStrategy: z.enum(LB_STRATEGIES).optional(),
};

/** A page of a listing, as many as the REST API allows. */
export const pageSize = z.number().int().min(1).max(MAX_PAGE_SIZE);

export const serverRef = z.string().min(1).max(SERVER_REF_MAX_LENGTH).describe('Server id or name');

const nullableString = z.string().nullable();

export const serverViewSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  title: nullableString,
  description: z.string(),
  version: nullableString,
  endpoints: z.array(z.object({ url: z.string(), weight: z.number() })),
  transport: z.enum(TRANSPORTS),
  visibility: z.enum(VISIBILITIES),
  requiredRoles: roles,
  ownerOid: z.string(),
  tags: z.array(z.string()),
  toolRoles: z.record(z.string(), roles),
  identityHeaders: z.boolean(),
  auditRedactKeys: z.array(z.string()),
  rateLimits: z.object({
    requestsPerMinute: z.number().optional(),
    tools: z.record(z.string(), z.number()),
  }),
  upstreamAuth: z.object({
    type: z.enum(UPSTREAM_AUTH_TYPES),
    headerName: z.string().optional(),
    tokenUrl: z.string().optional(),
    clientId: z.string().optional(),
    scope: z.string().optional(),
    audience: z.string().optional(),
    hasSecret: z.boolean(),
  }),
  timeouts: z.object({
    connectMs: z.number(),
    requestMs: z.number(),
    tools: z.record(z.string(), z.number()),
  }),
  healthCheck: z.object({
    intervalSeconds: z.number(),
    timeoutMs: z.number(),
    unhealthyThreshold: z.number(),
    degradedLatencyMs: z.number(),
  }),
  lbStrategy: z.enum(LB_STRATEGIES),
  status: z.enum(SERVER_STATUSES),
  lastCheckedAt: nullableString,
  lastError: nullableString,
  latencyMs: z.number().nullable(),
  protocolVersion: nullableString,
  serverInfo: z.object({ name: z.string(), version: z.string(), title: z.string().optional() }).nullable(),
  toolCount: z.number().int(),
  pendingChanges: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const toolMatchSchema = z.object({
  server: z.object({ id: z.string(), name: z.string(), title: nullableString }),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.record(z.string(), z.unknown()),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const driftSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
});

export const outputs = {
  listServers: z.object({
    servers: z.array(serverViewSchema),
    total_count: z.number().int(),
    next_cursor: z.string().nullable(),
    user_context: z.object({ tenant_id: z.string(), user_id: z.string(), roles }),
    timestamp: z.string(),
  }),
  getServer: z.object({ server: serverViewSchema }),
  registerServer: z.object({
    success: z.boolean(),
    server_id: z.string(),
    message: z.string(),
    registered_capabilities: z
      .object({ tools: z.array(z.string()), resources: z.number().int(), prompts: z.number().int() })
      .nullable(),
  }),
  updateServer: z.object({ success: z.boolean(), server: serverViewSchema }),
  unregisterServer: z.object({ success: z.boolean(), server_id: z.string(), message: z.string() }),
  searchTools: z.object({
    tools: z.array(toolMatchSchema),
    total: z.number().int(),
  }),
  approveChanges: z.object({ success: z.boolean(), server_id: z.string(), approved: driftSchema }),
};
