import { getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import {
  anyObject,
  arrayOf,
  dateTime,
  integer,
  mapOf,
  nullable,
  objectOf,
  text,
} from '../common/http/openapi-schema.js';
import { ServerView } from './dto/server-view.dto.js';

const definition = objectOf({ name: text }, []);
const snapshot = objectOf({
  tools: arrayOf({ ...anyObject, properties: { name: text, description: text, inputSchema: anyObject } }),
  resources: arrayOf(anyObject),
  resourceTemplates: arrayOf(anyObject),
  prompts: arrayOf(definition),
  serverCapabilities: anyObject,
});
const drift = objectOf({ added: arrayOf(text), removed: arrayOf(text), changed: arrayOf(text) });

/** GET /api/v1/servers/{id}/capabilities */
export const CAPABILITIES_VIEW: SchemaObject = objectOf({
  serverId: text,
  serverName: text,
  status: text,
  protocolVersion: nullable(text),
  serverInfo: nullable(objectOf({ name: text, version: text, title: text }, ['title'])),
  lastCheckedAt: nullable(dateTime),
  approved: nullable(snapshot),
  approvedHash: nullable(text),
  pending: nullable(objectOf({ capabilities: snapshot, hash: text, drift })),
});

/** POST /api/v1/servers/{id}/approve-changes */
export const APPROVAL: SchemaObject = objectOf({
  server: { $ref: getSchemaPath(ServerView) },
  drift,
});

/** GET /api/v1/discovery/tools */
export const TOOL_SEARCH: SchemaObject = objectOf({
  tools: arrayOf(
    objectOf(
      {
        server: objectOf({ id: text, name: text, title: nullable(text) }),
        name: text,
        title: text,
        description: text,
        inputSchema: anyObject,
        annotations: anyObject,
      },
      ['title', 'description', 'annotations'],
    ),
  ),
  total: integer,
});

/** GET /api/v1/admin/stats */
export const REGISTRY_STATS: SchemaObject = objectOf({
  total: integer,
  byStatus: mapOf(integer),
  byTransport: mapOf(integer),
  byTenant: mapOf(integer),
});

/** One server as the official MCP Registry API shows it. */
export const OFFICIAL_SERVER: SchemaObject = objectOf({
  server: { ...anyObject, description: "A server.json, its remote the gateway's /servers/{id}/mcp" },
  _meta: anyObject,
});

/** GET /v0.1/servers */
export const OFFICIAL_LIST: SchemaObject = objectOf({
  servers: arrayOf(OFFICIAL_SERVER),
  metadata: objectOf({ nextCursor: text, count: integer }, ['nextCursor']),
});
