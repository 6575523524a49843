import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service.js';
import { TenantsService } from '../../tenancy/index.js';
import { CapabilityDiscovery } from '../discovery/capability-discovery.js';
import { CapabilitiesTooLarge } from '../discovery/discovery-bounds.js';
import { RegistryCache } from '../registry-cache.js';
import { RegistryRepository } from '../registry.repository.js';
import type { RegisteredServer } from '../registry.types.js';
import { UserCredentialsRequired } from '../upstream-credentials.js';
import { probeTimeoutMs } from './check-timing.js';
import { type CheckOutcome, stateAfterCheck } from './health-state.js';

/**
 * One health check with capability discovery: every endpoint is probed with a real MCP handshake and lists, and
 * the outcome is stored and announced to every replica. Used by the scheduler, "check now" and registration.
 */
@Injectable()
export class ServerChecker {
  private readonly checks: Counter<'tenant' | 'server' | 'status'>;

  constructor(
    private readonly discovery: CapabilityDiscovery,
    private readonly repository: RegistryRepository,
    private readonly cache: RegistryCache,
    metrics: MetricsService,
    private readonly tenants: TenantsService,
  ) {
    this.checks = new Counter({
      name: 'mcp_gateway_health_checks_total',
      help: 'Health checks recorded, by tenant, server name and the status they left the server in',
      labelNames: ['tenant', 'server', 'status'] as const,
      registers: [metrics.registry],
    });
  }

  async probe(server: RegisteredServer): Promise<CheckOutcome> {
    const timeoutMs = probeTimeoutMs(server);
    const settled = await Promise.allSettled(
      server.endpoints.map((endpoint) => this.discovery.discover(server, endpoint.url, timeoutMs)),
    );
    const skipped = settled.find(
      (entry): entry is PromiseRejectedResult =>
        entry.status === 'rejected' && entry.reason instanceof UserCredentialsRequired,
    );
    if (skipped) {
      return {
        failures: [],
        endpointCount: server.endpoints.length,
        skipped: `Not checked: ${(skipped.reason as Error).message}`,
      };
    }
    const outcome: CheckOutcome = { failures: [], endpointCount: server.endpoints.length };
    settled.forEach((entry, index) => {
      if (entry.status === 'fulfilled') outcome.result ??= entry.value;
      else
        outcome.failures.push({
          url: server.endpoints[index].url,
          error: describeDiscoveryError(entry.reason),
          oversized: entry.reason instanceof CapabilitiesTooLarge,
        });
    });
    return outcome;
  }

  /** Probes, stores the new state, and returns the server as stored. */
  async check(server: RegisteredServer): Promise<{ server: RegisteredServer; outcome: CheckOutcome }> {
    const outcome = await this.probe(server);
    return { server: await this.record(server, outcome), outcome };
  }

  async record(server: RegisteredServer, outcome: CheckOutcome): Promise<RegisteredServer> {
    const settings = await this.tenants.settingsOf(server.tenantId);
    const patch = stateAfterCheck(server, outcome, new Date(), settings.driftApproval !== false);
    // A failure is counted from the stored count, not from `server` (read before the probe): checks of one server
    // can overlap ("check now" during a scheduled check), and each failure must count.
    const failed = !outcome.result && !outcome.skipped;
    if (!(await this.repository.systemRecordCheck(server, patch, { failed }))) {
      return this.cache.get(server.id) ?? server;
    }
    const stored = (await this.cache.changed(server.id)) ?? server;
    this.checks.inc({ tenant: server.tenantId, server: server.name, status: stored.status });
    return stored;
  }
}

/** An HTML page in an error: what a web server answers on a path that is not an MCP endpoint. */
const HTML_PAGE = /<(!doctype|html|head|body|title)\b/i;

/** A check's error as an operator should read it: one line, bounded, and no web page pasted into it. */
export function describeDiscoveryError(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  const page = HTML_PAGE.exec(message);
  if (page) {
    message =
      `${message.slice(0, page.index).trim()} the server answered with a web page, not MCP: is the URL its MCP endpoint ` +
      '(often ending in /mcp or /sse)?';
    return message.slice(0, 300);
  }
  return `${message}${cause}`.slice(0, 300);
}
