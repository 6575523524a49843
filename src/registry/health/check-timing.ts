import type { RegisteredServer } from '../registry.types.js';

/** Longest a probe may take, whatever the server's settings say. */
export const MAX_PROBE_TIMEOUT_MS = 120_000;

/**
 * Added to the probe timeout when a scheduled check is claimed: time for fetching upstream credentials before the
 * probe and for storing and announcing its outcome after it, so the claim outlives the whole check.
 */
export const CHECK_LEASE_MARGIN_SECONDS = 30;

/**
 * How long one probe of `server` may take. It never gets less than the server's own request timeout: a slow server
 * is degraded, not down. `RegistryRepository.systemClaimDueChecks` computes the same in SQL; keep them together.
 */
export function probeTimeoutMs(server: Pick<RegisteredServer, 'healthCheck' | 'timeouts'>): number {
  return Math.min(Math.max(server.healthCheck.timeoutMs, server.timeouts.requestMs), MAX_PROBE_TIMEOUT_MS);
}
