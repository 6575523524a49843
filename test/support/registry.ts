import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { TEST_ENCRYPTION_KEY } from './entra-gateway.js';
import { call, localToken, startGateway } from './gateway.js';

/**
 * A local-mode gateway for registry and proxy specs: upstreams on loopback allowed, background health checks off
 * (specs drive checks themselves, so they are deterministic), and the shared test encryption key.
 */
export function startRegistryGateway(
  overrides: Record<string, string | undefined> = {},
  options: Parameters<typeof startGateway>[1] = {},
): Promise<GatewayApp> {
  return startGateway(
    {
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
      ...overrides,
    },
    options,
  );
}

/** A tenant name no other test uses, so tests never see each other's servers. */
export const uniqueTenant = (prefix = 't'): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function rest(
  gateway: GatewayApp,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await call(gateway, path, token, {
    method,
    ...(body === undefined || method === 'GET' || method === 'DELETE'
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Registers a server in `tenant` as an admin of it, over REST; returns the server's id. */
export async function registerAs(
  gateway: GatewayApp,
  tenant: string,
  body: Record<string, unknown>,
): Promise<string> {
  const admin = await localToken(gateway, { tenant, roles: ['admin'] });
  const created = await rest(gateway, admin, 'POST', '/api/v1/servers', body);
  if (created.status !== 201)
    throw new Error(`registration failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.server.id as string;
}

/** Calls a gateway tool and returns its structured result. */
export async function tool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`tool ${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

/** The JSON-RPC error a tool call fails with: `{ code, message, data }`. */
export async function toolError(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ code: number; message: string; data: { code: string; statusCode: number } }> {
  try {
    const result = await client.callTool({ name, arguments: args });
    throw new Error(`expected ${name} to fail, got ${JSON.stringify(result)}`);
  } catch (error) {
    return error as { code: number; message: string; data: { code: string; statusCode: number } };
  }
}

/** A raw JSON-RPC request over HTTP, for what the SDK client would not send (forged sessions, garbage, aborts). */
export function postJsonRpc(
  url: string,
  token: string,
  method: string,
  params?: Record<string, unknown>,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    signal: init.signal,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...init.headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params ? { params } : {}) }),
  });
}
