import { signingKeyResealer, upstreamTokenResealer } from '../auth/index.js';
import type { SecretResealer } from '../database/reseal.js';
import { serverSecretResealer } from '../registry/index.js';

/**
 * Every feature's step of `mcp-gateway keys reseal`, run in this order in one transaction. Listed by the composition
 * root, like the entities: `database` runs them and knows none of them. A feature that stores a long-lived sealed
 * value adds its step here.
 */
export const SECRET_RESEALERS: readonly SecretResealer[] = [
  signingKeyResealer,
  upstreamTokenResealer,
  serverSecretResealer,
];
