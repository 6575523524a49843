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

/** POST /api/v1/router/request (the proxy_request tool's result). */
export const PROXY_REQUEST_RESULT: SchemaObject = objectOf({
  success: boolean,
  response_data: { description: "The upstream's JSON-RPC result, as it answered", nullable: true },
  error_message: nullable(text),
  execution_time_ms: integer,
  server_id: nullable(text),
});

/** POST /api/v1/router/health-check */
export const LIVE_HEALTH: SchemaObject = objectOf({
  servers: arrayOf(
    objectOf({
      server_id: text,
      name: text,
      status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy', 'unknown'] },
      latency_ms: nullable(integer),
      error: nullable(text),
    }),
  ),
  checked_at: dateTime,
});

/** GET /api/v1/router/metrics */
export const ROUTER_METRICS: SchemaObject = objectOf({
  servers: arrayOf(
    objectOf({
      serverId: text,
      name: text,
      requests: integer,
      errors: integer,
      errorRate: number,
      activeRequests: integer,
      latencyMs: nullable(objectOf({ p50: number, p95: number, p99: number })),
      breakers: arrayOf(objectOf({ url: text, state: text })),
    }),
  ),
  timestamp: dateTime,
});
