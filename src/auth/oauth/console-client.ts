import type { OAuthClientEntity } from './oauth.entities.js';

/**
 * The admin console (`/admin`) is a public OAuth client the gateway registers itself, so it signs in through the
 * same authorization endpoint in local and Entra mode with nothing for an operator to configure. Its one redirect
 * URI is on the gateway's own base URL, and it is the only client that may ask for a token for the REST API (the
 * base URL) rather than an MCP endpoint: the console is the gateway's own page, like the CLI.
 */
export const CONSOLE_CLIENT_ID = 'mcp-gateway-console';
export const CONSOLE_CALLBACK_PATH = '/admin/callback';

/** The console client as seen from `baseUrl` (the public URL, or the URL the request came in on). */
export function consoleClient(baseUrl: string | undefined): OAuthClientEntity {
  return {
    clientId: CONSOLE_CLIENT_ID,
    clientSecretHash: null,
    clientName: 'MCP Registry Gateway admin console',
    redirectUris: baseUrl ? [`${baseUrl}${CONSOLE_CALLBACK_PATH}`] : [],
    tokenEndpointAuthMethod: 'none',
    applicationType: 'web',
    registrationKind: 'static',
    createdAt: new Date(0),
  };
}
