import { capabilitiesHash } from '../capabilities.js';
import type { DiscoveryResult } from '../discovery/capability-discovery.js';
import type { ServerPatch } from '../registry.repository.js';
import type { RegisteredServer, ServerStatus } from '../registry.types.js';

/** What checking every endpoint of a server found. */
export interface CheckOutcome {
  /** The first endpoint that answered, if any. */
  result?: DiscoveryResult;
  /** Errors by endpoint URL; `oversized`: the endpoint answered, but with more than discovery accepts. */
  failures: { url: string; error: string; oversized?: boolean }[];
  endpointCount: number;
  /** The check could not run without a user (Entra on-behalf-of upstreams). */
  skipped?: string;
}

const MAX_ERROR_LENGTH = 500;

/**
 * The next stored state of a server after a check. Failures below the threshold only degrade a healthy server;
 * slowness degrades but never fails it. An oversized answer degrades the server and
 * keeps every snapshot as it was. A changed tool set is stored as the current snapshot but becomes the
 * approved one (the one served) only when drift approval is off or nothing was approved yet.
 */
export function stateAfterCheck(
  server: RegisteredServer,
  outcome: CheckOutcome,
  now: Date,
  driftApprovalRequired: boolean,
): ServerPatch {
  if (outcome.skipped) return { lastCheckedAt: now, lastError: outcome.skipped };
  const downEndpoints = outcome.failures.map((failure) => failure.url);
  const error = outcome.failures
    .map((failure) => `${failure.url}: ${failure.error}`)
    .join('; ')
    .slice(0, MAX_ERROR_LENGTH);
  if (!outcome.result && outcome.failures.length > 0 && outcome.failures.every((f) => f.oversized)) {
    // The upstream is up but sent more than discovery accepts: calls still work against the last approved snapshot,
    // which is kept (nothing here touches it), so the server is degraded, not failing towards unhealthy.
    return {
      lastCheckedAt: now,
      consecutiveFailures: 0,
      status: server.status === 'maintenance' ? 'maintenance' : 'degraded',
      lastError: error,
      downEndpoints: [],
    };
  }
  if (!outcome.result) {
    const failures = server.consecutiveFailures + 1;
    let status: ServerStatus = server.status === 'healthy' ? 'degraded' : server.status;
    if (failures >= server.healthCheck.unhealthyThreshold) status = 'unhealthy';
    if (server.status === 'maintenance') status = 'maintenance';
    return {
      lastCheckedAt: now,
      consecutiveFailures: failures,
      status,
      lastError: error || 'no endpoint answered',
      downEndpoints,
    };
  }
  const { snapshot, latencyMs, protocolVersion, serverInfo } = outcome.result;
  const hash = capabilitiesHash(snapshot);
  const slow = latencyMs > server.healthCheck.degradedLatencyMs;
  const partial = outcome.failures.length > 0;
  const approve = server.approvedCapabilitiesHash === null || !driftApprovalRequired;
  return {
    lastCheckedAt: now,
    consecutiveFailures: 0,
    downEndpoints,
    status: server.status === 'maintenance' ? 'maintenance' : slow || partial ? 'degraded' : 'healthy',
    lastError: partial ? error : slow ? `slow: ${latencyMs} ms` : null,
    latencyMs,
    protocolVersion,
    serverInfo,
    capabilities: snapshot,
    capabilitiesHash: hash,
    ...(approve ? { approvedCapabilities: snapshot, approvedCapabilitiesHash: hash } : {}),
  };
}
