import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Logger } from 'pino';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { localPrincipal } from '../../src/auth/oauth/dev-sign-in.js';
import type { GatewayRole } from '../../src/config/app-config.js';
import { GatewayApp } from '../../src/app/gateway-app.js';
import { testConfig } from './test-config.js';

/** Boots the whole gateway in-process on 127.0.0.1 and a free port, as `npm start` would, with test overrides. */
export function startGateway(
  overrides: Record<string, string | undefined> = {},
  options: { logger?: Logger } = {},
): Promise<GatewayApp> {
  return GatewayApp.start(testConfig(overrides).config, options);
}

export interface LocalUser {
  tenant?: string;
  user?: string;
  roles?: GatewayRole[];
  /** Audience; default the REST API and `/mcp`, as `mcp-gateway token` makes them. */
  resource?: string;
  ttlSeconds?: number;
}

/** A local-mode token for this gateway, signed with its key, exactly as `mcp-gateway token` makes them. */
export function localToken(gateway: GatewayApp, user: LocalUser = {}): Promise<string> {
  return gateway.app.get(GatewayTokens).issue({
    ...localPrincipal(user.tenant ?? 'acme', user.user ?? 'alice', user.roles ?? ['user']),
    audience: user.resource ?? [gateway.url, `${gateway.url}/mcp`],
    ttlSeconds: user.ttlSeconds ?? 3600,
  });
}

/** An official MCP SDK client connected over streamable HTTP, presenting `token` as its bearer token. */
export async function connectMcpClient(gateway: GatewayApp, token: string, path = '/mcp'): Promise<Client> {
  const client = new Client({ name: 'gateway-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(path, gateway.url), {
      authProvider: { token: () => Promise.resolve(token) },
    }),
  );
  return client;
}

/** `fetch` against the gateway with an optional bearer token. */
export function call(
  gateway: GatewayApp,
  path: string,
  token?: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(new URL(path, gateway.url), { ...init, headers });
}
