import type { SchemaObject } from '@nestjs/swagger';
import {
  arrayOf,
  boolean,
  dateTime,
  integer,
  nullable,
  number,
  objectOf,
  text,
} from '../common/http/openapi-schema.js';

const BUCKET: SchemaObject = objectOf({
  bucket: text,
  limit: integer,
  windowSeconds: number,
  used: nullable(integer),
  resetsInSeconds: nullable(integer),
  describe: text,
});
const TOOL_BUCKET: SchemaObject = { allOf: [BUCKET, objectOf({ tool: text })] };

/** GET /api/v1/admin/usage */
export const USAGE: SchemaObject = objectOf({
  rateLimits: objectOf({
    enabled: boolean,
    store: { type: 'string', enum: ['memory', 'redis'] },
    countersScope: {
      type: 'string',
      enum: ['deployment', 'replica'],
      description: 'deployment: Redis counters every replica shares; replica: this process only',
    },
    countersAvailable: boolean,
    tiers: arrayOf(objectOf({ tier: text, perMinute: integer, burstPerSecond: nullable(integer) })),
    settings: objectOf({
      burstFactor: number,
      tenantMultiplier: number,
      housekeepingPerMinute: integer,
      oauthPerMinute: integer,
      globalPerMinute: integer,
      failClosed: boolean,
    }),
    caller: objectOf({ tier: text, buckets: arrayOf(BUCKET) }),
    tenant: objectOf({ tenantId: text, buckets: arrayOf(BUCKET) }),
    global: nullable(BUCKET),
    gatewayTools: arrayOf(TOOL_BUCKET),
    servers: arrayOf(
      objectOf({ serverId: text, name: text, requests: nullable(BUCKET), tools: arrayOf(TOOL_BUCKET) }),
    ),
  }),
  streams: objectOf({
    scope: { type: 'string', enum: ['replica'] },
    tenant: integer,
    allTenants: nullable(integer),
    maxPerUser: integer,
    maxPerUserPerServer: integer,
  }),
  sessions: objectOf({
    scope: { type: 'string', enum: ['replica'] },
    windowSeconds: integer,
    active: nullable(integer),
    idleTimeoutSeconds: number,
  }),
  generatedAt: dateTime,
});
