import { Injectable } from '@nestjs/common';

const SAMPLES = 1024;

interface ServerCounters {
  requests: number;
  errors: number;
  active: number;
  /** Latest latencies (ms), a ring buffer for percentiles. */
  latencies: number[];
  next: number;
}

export interface ServerRouterMetrics {
  serverId: string;
  requests: number;
  errors: number;
  errorRate: number;
  activeRequests: number;
  latencyMs: { p50: number; p95: number; p99: number } | null;
}

/** Per-server request counts, errors, in-flight requests and latency percentiles of this process's proxy traffic. */
@Injectable()
export class RouterMetrics {
  private readonly servers = new Map<string, ServerCounters>();

  /** Marks a request started; call the returned function with whether it failed. */
  start(serverId: string): (failed: boolean) => void {
    const counters = this.countersFor(serverId);
    counters.active++;
    const started = performance.now();
    let done = false;
    return (failed) => {
      if (done) return;
      done = true;
      counters.active--;
      counters.requests++;
      if (failed) counters.errors++;
      counters.latencies[counters.next] = performance.now() - started;
      counters.next = (counters.next + 1) % SAMPLES;
    };
  }

  snapshot(serverIds?: ReadonlySet<string>): ServerRouterMetrics[] {
    return [...this.servers.entries()]
      .filter(([id]) => !serverIds || serverIds.has(id))
      .map(([serverId, counters]) => ({
        serverId,
        requests: counters.requests,
        errors: counters.errors,
        errorRate: counters.requests === 0 ? 0 : counters.errors / counters.requests,
        activeRequests: counters.active,
        latencyMs: percentiles(counters.latencies),
      }));
  }

  /** Forgets servers no longer in the registry (a removed server's counters would otherwise stay forever). */
  retainOnly(serverIds: ReadonlySet<string>): void {
    for (const id of this.servers.keys()) if (!serverIds.has(id)) this.servers.delete(id);
  }

  private countersFor(serverId: string): ServerCounters {
    let counters = this.servers.get(serverId);
    if (!counters) {
      counters = { requests: 0, errors: 0, active: 0, latencies: [], next: 0 };
      this.servers.set(serverId, counters);
    }
    return counters;
  }
}

function percentiles(samples: number[]): ServerRouterMetrics['latencyMs'] {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
