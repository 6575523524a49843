import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { TenancyModule } from '../tenancy/index.js';
import { GatewayAuthGuard } from './auth.guard.js';
import { AuthTools } from './auth.tools.js';
import { BearerStrategy } from './bearer.strategy.js';
import { EntraTokens } from './entra-tokens.js';
import { GatewayTokens, LOCAL_ISSUER } from './gateway-tokens.js';
import { AuthorizationService } from './oauth/authorization.service.js';
import { ClientDirectory } from './oauth/client-directory.js';
import { EntraSignInService } from './oauth/entra-sign-in.service.js';
import { OnBehalfOfService } from './oauth/on-behalf-of.service.js';
import { ClientRegistrationService } from './oauth/client-registration.service.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthRepository } from './oauth/oauth.repository.js';
import { OAuthStatePurge } from './oauth/oauth-state-purge.js';
import { TokenEndpointService } from './oauth/token-endpoint.service.js';
import { ProtectedResourceController } from './protected-resource.controller.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { ResourceUrls } from './resource-urls.js';
import { RolesGuard } from './roles.guard.js';
import { SigningKeyRefresh } from './signing-key-refresh.js';
import { withSigningKeys } from './signing-key-location.js';
import { SigningKeyStore } from './signing-keys.js';
import { TokenVerifier } from './token-verifier.js';
import { UserInfoController } from './userinfo.controller.js';

@Module({
  imports: [PassportModule, TenancyModule],
  controllers: [ProtectedResourceController, UserInfoController, AuthTools, OAuthController],
  providers: [
    {
      provide: SigningKeyStore,
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        withSigningKeys(
          config,
          (use) => use(dataSource),
          (keys) => keys.open(),
        ),
    },
    SigningKeyRefresh,
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      // Without a key there is nothing to seal with; features that need it say so when used.
      useFactory: (config: AppConfig) => SecretBox.fromConfig(config),
    },
    {
      provide: GatewayTokens,
      inject: [SigningKeyStore, APP_CONFIG],
      useFactory: (keys: SigningKeyStore, config: AppConfig) =>
        new GatewayTokens(keys, gatewayIssuer(config)),
    },
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, GatewayTokens, MetricsService],
      useFactory: (config: AppConfig, gatewayTokens: GatewayTokens, metrics: MetricsService) => {
        const entra = config.auth.mode === 'entra' ? new EntraTokens(config.auth) : undefined;
        const verifier = new TokenVerifier(config.auth, gatewayTokens, entra);
        new Gauge({
          name: 'mcp_gateway_token_cache_hit_ratio',
          help: 'Share of bearer-token verifications answered from the verified-token cache',
          registers: [metrics.registry],
          collect() {
            this.set(verifier.cacheHitRatio());
          },
        });
        return verifier;
      },
    },
    {
      provide: ResourceUrls,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ResourceUrls(config.http.publicUrl),
    },
    RequestAuthenticator,
    OAuthRepository,
    OAuthStatePurge,
    ClientRegistrationService,
    AuthorizationService,
    ClientDirectory,
    EntraSignInService,
    OnBehalfOfService,
    TokenEndpointService,
    BearerStrategy,
    // Order matters: authentication first, then roles.
    { provide: APP_GUARD, useClass: GatewayAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [GatewayTokens, ResourceUrls, OnBehalfOfService],
})
export class AuthModule {}

/** The `iss` of gateway-issued tokens: the public URL when configured, a stable local name otherwise. */
export function gatewayIssuer(config: AppConfig): string {
  return config.http.publicUrl ?? LOCAL_ISSUER;
}
