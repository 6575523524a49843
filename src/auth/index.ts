/**
 * Auth's public API: what the layers above it (registry, proxy, app, cli) may use. Its repository, entities,
 * controllers, guards and OAuth flows stay inside; a feature authenticates a request through
 * `RequestAuthenticator`, mints or checks the gateway's tokens through `GatewayTokens`, and exchanges a user's token
 * for an upstream one through `OnBehalfOfService`. Files inside `src/auth` import each other directly, never through
 * this file, so loading it cannot start a cycle back into auth.
 */

// Wiring: the Nest module, its issuer, and the providers it exports.
export { AuthModule, gatewayIssuer } from './auth.module.js';
export { RequestAuthenticator } from './request-authenticator.js';
export { ResourceUrls } from './resource-urls.js';
export { CLOCK_SKEW_SECONDS, GatewayTokens, LOCAL_TOKEN_MAX_TTL_SECONDS } from './gateway-tokens.js';
export { OnBehalfOfError, OnBehalfOfService } from './oauth/on-behalf-of.service.js';

// Policy: which on-behalf-of scopes a server may ask for.
export { oboScopeRefusal } from './oauth/obo-scope-policy.js';

// Local principals, for tokens the CLI mints without a sign-in.
export { LOCAL_NAME, localPrincipal, parseRoleList } from './oauth/dev-sign-in.js';

// Signing keys: the store, where it lives, its refresh interval and the retirement plan the CLI runs.
export { SigningKeyStore } from './signing-keys.js';
export { type SigningKeyOperations, withSigningKeys } from './signing-key-location.js';
export { SIGNING_KEY_REFRESH_MS } from './signing-key-refresh.js';
export {
  longestTokenLifetimeSeconds,
  planRetirement,
  RetireRefusedError,
  type RetirePlan,
  retentionMs,
} from './signing-key-retirement.js';

// Re-seal steps (`keys reseal`) for the sealed values auth keeps: signing keys and upstream tokens.
export { signingKeyResealer } from './signing-keys.js';
export { upstreamTokenResealer } from './oauth/upstream-tokens-at-rest.js';
