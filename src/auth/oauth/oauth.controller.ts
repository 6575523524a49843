import { AuditAction } from '../../common/decorators/audit.decorators.js';
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CLIENT_METADATA,
  REGISTERED_CLIENT,
  REVOKE_REQUEST,
  TOKEN_REQUEST,
  TOKEN_RESPONSE,
} from '../auth.openapi.js';
import type { Request, Response } from 'express';
import { GatewayException } from '../../common/errors/gateway.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ThrottleAs } from '../../common/decorators/rate-limit.decorators.js';
import { Public } from '../../common/decorators/auth.decorators.js';
import { GatewayTokens } from '../gateway-tokens.js';
import { cookieSpec, readCookie, SESSION_TTL_SECONDS } from '../session-cookie.js';
import { ResourceUrls } from '../resource-urls.js';
import { SigningKeyStore } from '../signing-keys.js';
import {
  type AuthorizationResult,
  AuthorizationService,
  type PendingAuthorization,
  SESSION_CLIENT_ID,
} from './authorization.service.js';
import { OAuthRedirectError } from './authorization-errors.js';
import { ClientRegistrationService, type RegisteredClient } from './client-registration.service.js';
import { renderConsentPage, setPageSecurityHeaders } from './consent-page.js';
import {
  type ClientCredentials,
  TokenEndpointService,
  type TokenResponse,
} from './token-endpoint.service.js';
import { ErrorCode } from '../../common/errors/error-codes.js';

/**
 * The gateway's OAuth 2.1 authorization server for MCP clients (Entra has no dynamic registration, no RFC 8414
 * metadata and rejects `resource`). Everything it keeps is in PostgreSQL, so any replica serves any step.
 */
@ApiTags('oauth')
@Public()
// By client IP and stricter than other public routes: registration spam, credential stuffing.
@ThrottleAs('oauth')
@Controller()
export class OAuthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly urls: ResourceUrls,
    private readonly keys: SigningKeyStore,
    private readonly registration: ClientRegistrationService,
    private readonly authorization: AuthorizationService,
    private readonly tokenEndpoint: TokenEndpointService,
    private readonly gatewayTokens: GatewayTokens,
  ) {}

  @Get(['.well-known/oauth-authorization-server', '.well-known/openid-configuration'])
  @ApiOperation({ summary: 'RFC 8414 authorization server metadata' })
  metadata(@Req() req: Request): Record<string, unknown> {
    const issuer = this.issuer(req);
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      registration_endpoint: `${issuer}/oauth/register`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      jwks_uri: `${issuer}/oauth/jwks`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      scopes_supported: this.config.auth.oauthScopes,
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      resource_indicators_supported: true,
    };
  }

  @Get('oauth/jwks')
  @ApiOperation({
    summary: 'Public keys of the gateway-issued tokens (old keys stay until their tokens expire)',
  })
  jwks(): ReturnType<SigningKeyStore['publicJwks']> {
    return this.keys.publicJwks();
  }

  @Post('oauth/register')
  @AuditAction({ action: 'oauth.client_registered', surface: 'oauth', refusalsAreDenials: true })
  @HttpCode(201)
  @ApiOperation({ summary: 'RFC 7591 dynamic client registration' })
  @ApiBody({ schema: CLIENT_METADATA })
  @ApiCreatedResponse({ description: 'The registered client', schema: REGISTERED_CLIENT })
  register(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<RegisteredClient> {
    res.setHeader('Cache-Control', 'no-store');
    return this.registration.register(body);
  }

  @Get('oauth/authorize')
  @ApiExcludeEndpoint()
  async authorize(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const base = this.urls.baseUrl(req);
      this.showConsent(req, res, await this.authorization.begin(req.query, base, this.issuer(req)));
    } catch (error) {
      if (error instanceof OAuthRedirectError) return res.redirect(303, error.location);
      throw error;
    }
  }

  @Get('oauth/login')
  @ApiOperation({
    summary: 'Browser sign-in for the admin console and Swagger UI (session cookie); ?return_to=/docs',
  })
  async login(
    @Req() req: Request,
    @Res() res: Response,
    @Query('return_to') returnTo?: string,
  ): Promise<void> {
    this.showConsent(req, res, await this.authorization.beginSession(returnTo, this.urls.baseUrl(req)));
  }

  @Post('oauth/authorize')
  @AuditAction({
    action: 'oauth.consent',
    surface: 'oauth',
    // The page answers with a redirect either way; the decision is what the trail needs.
    outcome: (req) =>
      (req.body as { decision?: unknown } | undefined)?.decision === 'approve' ? 'success' : 'denied',
  })
  @ApiExcludeEndpoint()
  async decide(
    @Req() req: Request,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    setPageSecurityHeaders(res);
    const field = (name: string) => (typeof body?.[name] === 'string' ? body[name] : undefined);
    const result = await this.authorization.decide(
      {
        requestId: field('request_id') ?? '',
        csrfToken: field('csrf_token') ?? '',
        bindingToken: readCookie(req, cookieSpec(this.urls.baseUrl(req), 'authz').name),
        approve: field('decision') === 'approve',
        login: { tenant: field('tenant'), user: field('user'), roles: field('roles') },
      },
      this.issuer(req),
    );
    await this.finish(req, res, result);
  }

  @Get('oauth/callback')
  @AuditAction({ action: 'oauth.sign_in', surface: 'oauth', refusalsAreDenials: true })
  @ApiExcludeEndpoint()
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    setPageSecurityHeaders(res);
    const query = req.query as Record<string, unknown>;
    await this.finish(
      req,
      res,
      await this.authorization.finishEntraSignIn(
        query,
        readCookie(req, cookieSpec(this.urls.baseUrl(req), 'authz').name),
        this.issuer(req),
      ),
    );
  }

  /** An old sign-out link: answered with what to do instead, and signing nobody out. */
  @Get('oauth/logout')
  @ApiExcludeEndpoint()
  logoutByLink(): never {
    throw new GatewayException(405, ErrorCode.METHOD_NOT_ALLOWED, 'Sign out with POST /oauth/logout');
  }

  /**
   * A POST, never a GET: a link or an image on any page could otherwise sign the user out. A cross-site POST is
   * refused (the Origin guard checks Origin; Sec-Fetch-Site catches a browser that sent none).
   */
  @Post('oauth/logout')
  @ApiOperation({
    summary: "End the browser session (clears the session cookie); POST from the gateway's own pages",
  })
  logout(@Req() req: Request, @Res() res: Response): void {
    if (req.get('sec-fetch-site') === 'cross-site') {
      throw new GatewayException(
        403,
        ErrorCode.ORIGIN_NOT_ALLOWED,
        "Sign-out is accepted only from the gateway's own pages",
      );
    }
    const session = cookieSpec(this.urls.baseUrl(req), 'session');
    res.clearCookie(session.name, { path: session.path, secure: session.secure });
    res.redirect(303, '/docs');
  }

  @Post('oauth/token')
  @AuditAction({ action: 'oauth.token', surface: 'oauth', refusalsAreDenials: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'Token endpoint: authorization_code (PKCE) and rotating refresh_token grants' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: TOKEN_REQUEST })
  @ApiOkResponse({ description: 'Tokens', schema: TOKEN_RESPONSE })
  token(
    @Req() req: Request,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return this.tokenEndpoint.exchange(body ?? {}, clientCredentials(req, body), this.issuer(req));
  }

  @Post('oauth/revoke')
  @AuditAction({ action: 'oauth.revoke', surface: 'oauth', refusalsAreDenials: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'RFC 7009 token revocation (a refresh token ends its whole family)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: REVOKE_REQUEST })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke (always 200)', schema: { type: 'object' } })
  async revoke(@Req() req: Request, @Body() body: Record<string, unknown>): Promise<Record<string, never>> {
    await this.tokenEndpoint.revoke(body?.token, clientCredentials(req, body));
    return {};
  }

  private showConsent(req: Request, res: Response, pending: PendingAuthorization): void {
    // The decision redirects to the client, or first to Entra to sign in.
    const entra = this.config.auth.mode === 'entra' ? [this.config.auth.entraAuthorityHost] : [];
    setPageSecurityHeaders(res, [pending.redirectUri, ...entra]);
    const binding = cookieSpec(this.urls.baseUrl(req), 'authz');
    res.cookie(binding.name, pending.bindingToken, {
      httpOnly: true,
      sameSite: 'lax',
      secure: binding.secure,
      path: binding.path,
      maxAge: 10 * 60_000,
    });
    res.type('html').send(
      renderConsentPage({
        requestId: pending.requestId,
        csrfToken: pending.csrfToken,
        clientName: pending.client.clientName ?? pending.client.clientId,
        redirectUri: pending.redirectUri,
        resource: pending.resource,
        scope: pending.scope,
        devLogin: this.config.auth.mode === 'local',
        trustedClient: pending.client.registrationKind === 'static',
      }),
    );
  }

  /** Sends the browser on; a finished browser-session sign-in also gets its session cookie. */
  private async finish(req: Request, res: Response, result: AuthorizationResult): Promise<void> {
    // The browser binding stays until the Entra callback when sign-in continues there.
    const binding = cookieSpec(this.urls.baseUrl(req), 'authz');
    if (result.finished) res.clearCookie(binding.name, { path: binding.path, secure: binding.secure });
    if (result.session) {
      const base = this.urls.baseUrl(req);
      const token = await this.gatewayTokens.issue({
        ...result.session,
        clientId: SESSION_CLIENT_ID,
        audience: base,
        ttlSeconds: SESSION_TTL_SECONDS,
        issuer: this.issuer(req),
      });
      // Strict: the cookie never rides on a request another site starts, which is what keeps REST calls CSRF-safe.
      const session = cookieSpec(base, 'session');
      res.cookie(session.name, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: session.secure,
        path: session.path,
        maxAge: SESSION_TTL_SECONDS * 1000,
      });
    }
    res.redirect(303, result.location);
  }

  /** The issuer clients discovered: the public URL, or the base URL of this request. */
  private issuer(req: Request): string {
    return this.config.http.publicUrl ?? this.urls.baseUrl(req);
  }
}

function clientCredentials(req: Request, body: Record<string, unknown> | undefined): ClientCredentials {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0) {
      try {
        return {
          clientId: decodeURIComponent(decoded.slice(0, separator)),
          clientSecret: decodeURIComponent(decoded.slice(separator + 1)),
        };
      } catch {
        // Malformed percent-encoding: no usable credentials, which the token endpoint answers as invalid_client.
        return {};
      }
    }
  }
  const clientId = typeof body?.client_id === 'string' ? body.client_id : undefined;
  const clientSecret = typeof body?.client_secret === 'string' ? body.client_secret : undefined;
  return { clientId, clientSecret };
}
