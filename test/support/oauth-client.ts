import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type {
  OAuthClientMetadata,
  OAuthDiscoveryState,
  OAuthClientProvider,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';

/** An in-memory OAuthClientProvider, as an MCP client app would implement it, recording where it was sent. */
export class TestOAuthClient implements OAuthClientProvider {
  information?: StoredOAuthClientInformation;
  stored?: StoredOAuthTokens;
  discovery?: OAuthDiscoveryState;
  verifier?: string;
  authorizationUrl?: URL;

  constructor(readonly redirect = 'http://127.0.0.1:53682/callback') {}

  get redirectUrl(): string {
    return this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Gateway E2E Client',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.information;
  }

  saveClientInformation(information: StoredOAuthClientInformation): void {
    this.information = information;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.stored;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.stored = tokens;
  }

  /** Lets the SDK check that the callback comes from the authorization server it started with (SEP-2352). */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
}

/**
 * A minimal browser: follows the authorization URL, keeps cookies, fills and submits the consent form with the given
 * fields, and returns the final redirect to the client (where the code, state and iss arrive).
 */
export function consentInBrowser(
  authorizationUrl: URL,
  fields: Record<string, string>,
  options?: {
    dropCookie?: boolean;
    tamperCsrf?: boolean;
    clientRedirect?: string;
    captureCookies?: false;
  },
): Promise<URL>;
export function consentInBrowser(
  authorizationUrl: URL,
  fields: Record<string, string>,
  options: { dropCookie?: boolean; tamperCsrf?: boolean; clientRedirect?: string; captureCookies: true },
): Promise<{ location: URL; cookies: string[] }>;
export async function consentInBrowser(
  authorizationUrl: URL,
  fields: Record<string, string>,
  options: {
    dropCookie?: boolean;
    tamperCsrf?: boolean;
    clientRedirect?: string;
    captureCookies?: boolean;
  } = {},
): Promise<URL | { location: URL; cookies: string[] }> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  // Every consent page lets its form submit only to the gateway (and redirect on to where the flow goes next).
  const csp = page.headers.get('content-security-policy') ?? '';
  if (!/form-action 'self'/.test(csp)) throw new Error(`the consent page's CSP has no form-action: ${csp}`);
  const html = await page.text();
  const hidden = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1],
      match[2],
    ]),
  );
  if (options.tamperCsrf) hidden.csrf_token = 'forged';
  const submit = await fetch(new URL('/oauth/authorize', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.dropCookie ? {} : { cookie }),
    },
    body: new URLSearchParams({ ...hidden, ...fields }).toString(),
  });
  let location = submit.headers.get('location');
  if (submit.status !== 303 || !location) {
    throw Object.assign(new Error(`consent answered ${submit.status}`), {
      status: submit.status,
      body: await submit.text(),
    });
  }
  // Follow the browser's way through Entra ID and back to the gateway's callback, until it leaves for the client.
  const gateway = authorizationUrl.origin;
  for (
    let hop = 0;
    hop < 5 && options.clientRedirect && !location.startsWith(options.clientRedirect);
    hop++
  ) {
    const target: URL = new URL(location);
    const next = await fetch(target, {
      redirect: 'manual',
      headers: target.origin === gateway ? { cookie } : {},
    });
    const moved = next.headers.get('location');
    if (next.status < 300 || next.status >= 400 || !moved) {
      throw Object.assign(new Error(`${target.origin}${target.pathname} answered ${next.status}`), {
        status: next.status,
        body: await next.text(),
      });
    }
    location = new URL(moved, target).toString();
  }
  if (options.captureCookies) return { location: new URL(location), cookies: submit.headers.getSetCookie() };
  return new URL(location);
}

/**
 * What an MCP client app does first: connect, get 401, discover, register and start authorization. Resolves with the
 * transport to finish on once the browser comes back (`provider.authorizationUrl` is where the browser goes).
 */
export async function startOAuthLogin(
  mcpUrl: URL,
  provider: TestOAuthClient,
): Promise<StreamableHTTPClientTransport> {
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  const outcome = await new Client({ name: 'e2e', version: '1' }).connect(transport).then(
    () => 'connected',
    (error: unknown) => error,
  );
  if (!(outcome instanceof UnauthorizedError))
    throw new Error(`expected the login to start, got ${String(outcome)}`);
  return transport;
}

/** A form POST to the gateway's token endpoint, as an OAuth client library sends it. */
export function tokenRequest(
  gatewayUrl: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(new URL('/oauth/token', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

/** The refresh grant for a public client. */
export function refreshTokens(gatewayUrl: string, clientId: string, refreshToken: string): Promise<Response> {
  return tokenRequest(gatewayUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientId,
  });
}
