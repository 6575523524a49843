import { createHash } from 'node:crypto';
import type { LbStrategy, ServerEndpoint } from '../registry/index.js';

export interface SelectionContext {
  /** Stable key for consistent hashing (the caller's session, or its identity before a session exists). */
  affinityKey: string;
  /** Requests in flight per endpoint URL. */
  active: (url: string) => number;
}

/** One load-balancing policy: picks an endpoint among the usable ones (never called with an empty list). */
export interface SelectionPolicy {
  select(endpoints: readonly ServerEndpoint[], context: SelectionContext): ServerEndpoint;
}

class RoundRobin implements SelectionPolicy {
  private next = 0;
  select(endpoints: readonly ServerEndpoint[]): ServerEndpoint {
    const endpoint = endpoints[this.next % endpoints.length];
    this.next = (this.next + 1) % 1_000_000;
    return endpoint;
  }
}

/** The endpoint with the fewest requests in flight; ties go round, not always to the first endpoint. */
class LeastConnections implements SelectionPolicy {
  private next = 0;
  select(endpoints: readonly ServerEndpoint[], context: SelectionContext): ServerEndpoint {
    const fewest = Math.min(...endpoints.map((endpoint) => context.active(endpoint.url)));
    const tied = endpoints.filter((endpoint) => context.active(endpoint.url) === fewest);
    const endpoint = tied[this.next % tied.length];
    this.next = (this.next + 1) % 1_000_000;
    return endpoint;
  }
}

class WeightedRandom implements SelectionPolicy {
  constructor(private readonly random: () => number = Math.random) {}
  select(endpoints: readonly ServerEndpoint[]): ServerEndpoint {
    const total = endpoints.reduce((sum, endpoint) => sum + endpoint.weight, 0);
    let pick = this.random() * total;
    for (const endpoint of endpoints) {
      pick -= endpoint.weight;
      if (pick < 0) return endpoint;
    }
    return endpoints[endpoints.length - 1];
  }
}

class UniformRandom implements SelectionPolicy {
  constructor(private readonly random: () => number = Math.random) {}
  select(endpoints: readonly ServerEndpoint[]): ServerEndpoint {
    return endpoints[Math.floor(this.random() * endpoints.length)];
  }
}

/** Rendezvous hashing: the same key picks the same endpoint, and removing one endpoint moves only its keys. */
class ConsistentHash implements SelectionPolicy {
  select(endpoints: readonly ServerEndpoint[], context: SelectionContext): ServerEndpoint {
    let best = endpoints[0];
    let bestScore = -1;
    for (const endpoint of endpoints) {
      const score = createHash('sha1')
        .update(`${context.affinityKey}|${endpoint.url}`)
        .digest()
        .readUInt32BE(0);
      if (score > bestScore) {
        best = endpoint;
        bestScore = score;
      }
    }
    return best;
  }
}

export function createSelectionPolicy(strategy: LbStrategy, random?: () => number): SelectionPolicy {
  switch (strategy) {
    case 'round_robin':
      return new RoundRobin();
    case 'least_connections':
      return new LeastConnections();
    case 'weighted':
      return new WeightedRandom(random);
    case 'random':
      return new UniformRandom(random);
    case 'consistent_hash':
      return new ConsistentHash();
  }
}
