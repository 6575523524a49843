import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { canonicalUrl, isMcpEndpoint } from '../resource-urls.js';
import { ClientDirectory } from './client-directory.js';
import { CONSOLE_CLIENT_ID } from './console-client.js';
import { EntraSignInService } from './entra-sign-in.service.js';
import type {
  GrantedPrincipal,
  OAuthAuthorizationRequestEntity,
  OAuthClientEntity,
} from './oauth.entities.js';
import { constantTimeEquals, hashSecret, PKCE_CHALLENGE, randomToken } from './oauth-crypto.js';
import { AuthorizationPageError, errorRedirect, OAuthRedirectError } from './authorization-errors.js';
import { devPrincipal } from './dev-sign-in.js';
import type { OAuthError } from '../../common/errors/oauth-protocol.error.js';
import { OAuthRepository } from './oauth.repository.js';
import { redirectUriMatches } from './redirect-uris.js';

const REQUEST_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 60_000;
const MAX_SCOPE_LENGTH = 1000;

/** The pseudo-client of browser sessions started at `/oauth/login`. */
export const SESSION_CLIENT_ID = 'mreg:browser-session';

export interface AuthorizationResult {
  /** Where to send the browser next. */
  location: string;
  /** False while sign-in continues at Entra ID (the browser binding is still needed). */
  finished: boolean;
  /** For a browser session: who signed in, to be set as the session cookie. */
  session?: GrantedPrincipal;
}

export interface PendingAuthorization {
  requestId: string;
  csrfToken: string;
  bindingToken: string;
  client: OAuthClientEntity;
  redirectUri: string;
  resource: string;
  scope: string;
}

export interface AuthorizationDecision {
  requestId: string;
  csrfToken: string;
  bindingToken: string | undefined;
  approve: boolean;
  login?: { tenant?: string; user?: string; roles?: string };
}

/**
 * `/oauth/authorize`: validates the client's request, records it bound to the consenting browser, and after the
 * user's decision sends the browser back with a one-time code (or an error), always with `state` and `iss`.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oauth: OAuthRepository,
    private readonly entraSignIn: EntraSignInService,
    private readonly clients: ClientDirectory,
  ) {}

  async begin(
    query: Record<string, unknown>,
    baseUrl: string,
    issuer: string,
  ): Promise<PendingAuthorization> {
    const clientId = stringParam(query, 'client_id');
    const client = clientId ? await this.clients.find(clientId, baseUrl) : undefined;
    if (!client) throw new AuthorizationPageError('invalid_client', 'unknown client_id');
    const asked = stringParam(query, 'redirect_uri');
    const redirectUri = asked ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    // The console is a page of this gateway, not a native app on an ephemeral port: its callback matches exactly.
    const matches =
      client.clientId === CONSOLE_CLIENT_ID
        ? (uri: string) => client.redirectUris.includes(uri)
        : (uri: string) => redirectUriMatches(client.redirectUris, uri);
    if (!redirectUri || !matches(redirectUri)) {
      throw new AuthorizationPageError(
        'invalid_request',
        'redirect_uri is missing or not registered for this client',
      );
    }
    // From here on, errors go back to the (now verified) redirect URI, as RFC 6749 §4.1.2.1 asks.
    const state = stringParam(query, 'state');
    const fail = (error: OAuthError, description: string) =>
      new OAuthRedirectError(
        error,
        description,
        errorRedirect(redirectUri, error, description, state, issuer),
      );
    if (query.response_type !== 'code') throw fail('unsupported_response_type', 'response_type must be code');
    const challenge = stringParam(query, 'code_challenge');
    if (query.code_challenge_method !== 'S256' || !challenge || !PKCE_CHALLENGE.test(challenge)) {
      throw fail('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    const resource = this.resourceFor(stringParam(query, 'resource'), baseUrl, client);
    if (!resource) throw fail('invalid_target', 'resource must be this gateway or one of its MCP endpoints');
    const scope = stringParam(query, 'scope') ?? '';
    if (scope.length > MAX_SCOPE_LENGTH) throw fail('invalid_scope', 'scope is too long');

    const csrfToken = randomToken();
    const bindingToken = randomToken();
    const request = await this.oauth.insertAuthorizationRequest({
      clientId: client.clientId,
      redirectUri,
      state: state ?? null,
      codeChallenge: challenge,
      scope,
      resource,
      browserBindingHash: hashSecret(bindingToken),
      csrfTokenHash: hashSecret(csrfToken),
      expiresAt: new Date(Date.now() + REQUEST_TTL_MS),
    });
    return { requestId: request.id, csrfToken, bindingToken, client, redirectUri, resource, scope };
  }

  /**
   * Applies the user's decision; returns where to send the browser: back to the client (finished), or on to Entra
   * ID to sign in (the callback finishes it).
   */
  async decide(decision: AuthorizationDecision, issuer: string): Promise<AuthorizationResult> {
    const request = /^[0-9a-f-]{36}$/i.test(decision.requestId)
      ? await this.oauth.findPendingRequest(decision.requestId)
      : null;
    if (!request)
      throw new AuthorizationPageError(
        'invalid_request',
        'this authorization request is unknown, expired or already decided',
      );
    // The decision must come from the browser that started the request and carry the page's CSRF token.
    const bound =
      decision.bindingToken !== undefined &&
      constantTimeEquals(hashSecret(decision.bindingToken), request.browserBindingHash);
    const csrfOk = constantTimeEquals(hashSecret(decision.csrfToken), request.csrfTokenHash);
    if (!bound || !csrfOk)
      throw new AuthorizationPageError(
        'access_denied',
        'this consent did not come from the browser that asked for it',
        403,
      );
    if (!(await this.oauth.markRequestDecided(request.id))) {
      throw new AuthorizationPageError('invalid_request', 'this authorization request was already decided');
    }
    const state = request.state ?? undefined;
    const finished = (location: string) => ({ location, finished: true });
    if (!decision.approve) {
      return finished(
        errorRedirect(request.redirectUri, 'access_denied', 'the user denied the request', state, issuer),
      );
    }
    if (this.config.auth.mode === 'entra') {
      const unavailable = this.entraSignIn.unavailableReason();
      if (unavailable)
        return finished(
          errorRedirect(request.redirectUri, 'temporarily_unavailable', unavailable, state, issuer),
        );
      return { location: await this.entraSignIn.start(request, issuer), finished: false };
    }
    const principal = devPrincipal(decision.login);
    if (typeof principal === 'string') {
      return finished(errorRedirect(request.redirectUri, 'access_denied', principal, state, issuer));
    }
    return this.complete(request, principal, issuer);
  }

  /**
   * `/oauth/login`: a browser session for the admin console and Swagger UI, through the same consent, sign-in and
   * browser binding as a client's authorization. `returnTo` must be a path on this gateway (no open redirect).
   */
  async beginSession(returnTo: string | undefined, baseUrl: string): Promise<PendingAuthorization> {
    const path = returnTo && /^\/(?![/\\])[\x21-\x7e]*$/.test(returnTo) ? returnTo : '/docs';
    const csrfToken = randomToken();
    const bindingToken = randomToken();
    const request = await this.oauth.insertAuthorizationRequest({
      clientId: SESSION_CLIENT_ID,
      redirectUri: `${baseUrl}${path}`,
      state: null,
      codeChallenge: '',
      scope: '',
      resource: baseUrl,
      browserBindingHash: hashSecret(bindingToken),
      csrfTokenHash: hashSecret(csrfToken),
      expiresAt: new Date(Date.now() + REQUEST_TTL_MS),
    });
    const client = {
      clientId: SESSION_CLIENT_ID,
      clientName: 'MCP Registry Gateway admin session (Swagger UI, REST)',
      redirectUris: [request.redirectUri],
      registrationKind: 'static',
    } as OAuthClientEntity;
    return {
      requestId: request.id,
      csrfToken,
      bindingToken,
      client,
      redirectUri: request.redirectUri,
      resource: baseUrl,
      scope: '',
    };
  }

  /** A signed-in user: a browser session gets its cookie, a client gets its code. */
  private async complete(
    request: OAuthAuthorizationRequestEntity,
    principal: GrantedPrincipal,
    issuer: string,
  ): Promise<AuthorizationResult> {
    if (request.clientId === SESSION_CLIENT_ID)
      return { location: request.redirectUri, finished: true, session: principal };
    return { location: await this.issueCode(request, principal, issuer), finished: true };
  }

  /** `/oauth/callback`: Entra sent the browser back; finish with a code for the client (or an error). */
  async finishEntraSignIn(
    query: Record<string, unknown>,
    bindingToken: string | undefined,
    issuer: string,
  ): Promise<AuthorizationResult> {
    const outcome = await this.entraSignIn.complete(query, bindingToken, issuer);
    const state = outcome.request.state ?? undefined;
    if (!outcome.ok) {
      const location = errorRedirect(
        outcome.request.redirectUri,
        outcome.error,
        outcome.description,
        state,
        issuer,
      );
      return { location, finished: true };
    }
    return this.complete(outcome.request, outcome.principal, issuer);
  }

  /** Mints the one-time code and the redirect that carries it, with `state` and `iss` (RFC 9207). */
  private async issueCode(
    request: OAuthAuthorizationRequestEntity,
    principal: GrantedPrincipal,
    issuer: string,
  ): Promise<string> {
    const state = request.state ?? undefined;
    const code = randomToken();
    await this.oauth.insertCode(hashSecret(code), {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
      scope: request.scope,
      principal,
      familyId: randomUUID(),
      expiresAt: new Date(Date.now() + CODE_TTL_MS),
    });
    const target = new URL(request.redirectUri);
    target.searchParams.set('code', code);
    if (state !== undefined) target.searchParams.set('state', state);
    target.searchParams.set('iss', issuer);
    return target.toString();
  }

  /** The audience a token will carry: this gateway or one of its MCP endpoints, canonical; default `/mcp`. */
  private resourceFor(
    asked: string | undefined,
    baseUrl: string,
    client: OAuthClientEntity,
  ): string | undefined {
    // Clients get tokens for MCP endpoints only; gateway-wide tokens are for browser sessions, the CLI and the
    // gateway's own admin console (which calls the REST API).
    if (asked === undefined) return `${baseUrl}/mcp`;
    let url: URL;
    try {
      url = new URL(asked);
    } catch {
      return undefined;
    }
    if (client.clientId === CONSOLE_CLIENT_ID && canonicalUrl(asked) === canonicalUrl(baseUrl))
      return baseUrl;
    if (url.search || url.hash || !isMcpEndpoint(url.pathname)) return undefined;
    const resource = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    return canonicalUrl(resource).startsWith(`${canonicalUrl(baseUrl)}/`) ? resource : undefined;
  }
}

function stringParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined;
}
