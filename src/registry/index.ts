/**
 * The registry's public API: what the layers above it (audit, proxy, app) may use. Its repository, entity,
 * controllers and tools stay inside; a feature reaches the stored servers through `RegistryService` and the
 * in-memory `RegistryCache`. Files inside `src/registry` import each other directly, never through this file, so
 * loading it cannot start a cycle back into the registry.
 */

// Wiring: the Nest module and the providers it exports.
export { RegistryModule } from './registry.module.js';
export { type Registration, RegistryService } from './registry.service.js';
export { RegistryCache } from './registry-cache.js';
export { ServerChecker } from './health/server-checker.js';
export { CapabilityDiscovery } from './discovery/capability-discovery.js';
export { UpstreamCredentials, UserCredentialsRequired } from './upstream-credentials.js';
export { UpstreamSecrets } from './upstream-secrets.js';
export { serverSecretResealer } from './upstream-secrets-reseal.js';

// Policy: who may see a server and which of its tools a caller may list and call.
export { canSee } from './registry-access.js';
export { ToolPolicy } from './tool-policy.js';
export { serverNotFound } from './registry.errors.js';

// What a registered server is, and how callers may name one.
export {
  type DiscoveredPrompt,
  type DiscoveredTool,
  LEGACY_REVISION,
  MODERN_REVISION,
  type LbStrategy,
  type RegisteredServer,
  type ServerEndpoint,
} from './registry.types.js';
export type { ServerPage, ServerView } from './dto/server-view.dto.js';
export { SERVER_REF_MAX_LENGTH } from './registry.limits.js';
