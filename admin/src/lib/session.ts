import { challengeFor, randomToken } from './pkce';

/**
 * Sign-in with the gateway's own authorization server: authorization code + PKCE as the built-in public client
 * `mcp-gateway-console`, for a token whose audience is the gateway's REST API (its base URL).
 *
 * The token lives in sessionStorage, never localStorage: it is scoped to this tab, gone when the tab closes, and
 * survives only a reload. The PKCE verifier and `state` wait there too while the browser is at the sign-in page.
 */
export const CLIENT_ID = 'mcp-gateway-console';
const TOKEN_KEY = 'mreg-console.token';
const PENDING_KEY = 'mreg-console.pending';

export interface StoredToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

const origin = () => window.location.origin;
export const callbackUrl = () => `${origin()}/admin/callback`;

export function currentToken(): StoredToken | undefined {
  const raw = sessionStorage.getItem(TOKEN_KEY);
  if (!raw) return undefined;
  try {
    const token = JSON.parse(raw) as StoredToken;
    if (typeof token.accessToken === 'string' && token.expiresAt > Date.now() + 5_000) return token;
  } catch {
    // A damaged entry is as good as none.
  }
  sessionStorage.removeItem(TOKEN_KEY);
  return undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(PENDING_KEY);
}

/** Leaves for the authorization endpoint; the callback route finishes with `finishSignIn`. */
export async function startSignIn(returnTo: string): Promise<void> {
  const pending: PendingSignIn = { state: randomToken(16), verifier: randomToken(48), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL('/oauth/authorize', origin());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('redirect_uri', callbackUrl());
  url.searchParams.set('code_challenge', await challengeFor(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('resource', origin());
  window.location.assign(url.toString());
}

/** Redeems the code the authorization server sent back; answers where the user was going. */
export async function finishSignIn(query: URLSearchParams): Promise<string> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
  const error = query.get('error');
  if (error) throw new Error(`Sign-in failed: ${query.get('error_description') ?? error}`);
  if (!pending || query.get('state') !== pending.state) {
    throw new Error('Sign-in failed: this answer does not belong to a sign-in started in this tab.');
  }
  // `iss` (RFC 9207) guards clients of several authorization servers against mix-ups; this one knows only one.
  const response = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: callbackUrl(),
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `Sign-in failed: ${body.error_description ?? `the token endpoint answered ${response.status}`}`,
    );
  }
  const token: StoredToken = {
    accessToken: body.access_token,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(token));
  return pending.returnTo;
}
