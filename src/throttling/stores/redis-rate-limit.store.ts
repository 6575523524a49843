import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  type CounterHit,
  type CounterPeek,
  type CounterState,
  type HitAllResult,
  FixedWindowStore,
} from './rate-limit.store.js';

/**
 * All-or-nothing fixed-window hits over several counters, atomic because Redis runs a script alone.
 * KEYS[i]: counter i. ARGV[3i-2], ARGV[3i-1], ARGV[3i]: its window (ms), limit and cost.
 * Returns { admitted (1|0), count_1, pttl_1, count_2, pttl_2, ... }: counts after the hit when admitted, else as they are.
 * A counter without a live window (missing, or left without expiry by anything else) starts a new one.
 */
const HIT_ALL_LUA = `
local admitted = 1
local counts, ttls, fresh = {}, {}, {}
for i = 1, #KEYS do
  local window = tonumber(ARGV[i * 3 - 2])
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 then
    counts[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
    ttls[i] = ttl
    fresh[i] = false
  else
    counts[i] = 0
    ttls[i] = window
    fresh[i] = true
  end
  if counts[i] + tonumber(ARGV[i * 3]) > tonumber(ARGV[i * 3 - 1]) then admitted = 0 end
end
local result = { admitted }
for i = 1, #KEYS do
  if admitted == 1 then
    local cost = tonumber(ARGV[i * 3])
    if fresh[i] then
      redis.call('SET', KEYS[i], cost, 'PX', ttls[i])
      counts[i] = cost
    else
      counts[i] = redis.call('INCRBY', KEYS[i], cost)
    end
  end
  result[#result + 1] = counts[i]
  result[#result + 1] = ttls[i]
end
return result
`;

type HitAllCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

/** How long startup waits for a first connection; after that requests go on without one (fail open or closed). */
const STARTUP_CONNECT_WAIT_MS = 1_000;
const ERROR_LOG_INTERVAL_MS = 30_000;

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  /** Longest wait for any command; beyond it the store counts as unreachable for that request. */
  commandTimeoutMs: number;
}

/**
 * Counters shared by every replica, in Redis. A request must never hang on it: commands time out after
 * `commandTimeoutMs`, nothing queues while disconnected (commands fail at once), no command is retried, and the
 * connection is re-established in the background. What a failure means (let through or refuse) is the limiter's call.
 */
export class RedisRateLimitStore extends FixedWindowStore implements OnModuleInit, OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly logger = new Logger('RateLimitStore');
  private readonly client: Redis;
  private readonly hitAllCommand: HitAllCommand;
  private lastErrorLog = 0;
  private closed = false;

  constructor(private readonly options: RedisStoreOptions) {
    super();
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
      // How long disconnect waits for the socket to close before destroying it; its timer would hold up shutdown.
      disconnectTimeout: 200,
      // null ends reconnecting: after shutdown, a connection attempt already under way must not schedule another.
      retryStrategy: (attempt) => (this.closed ? null : Math.min(attempt * 200, 2_000)),
      connectionName: 'mcp-gateway-rate-limits',
    });
    this.client.on('error', (error: Error) => this.logConnectionError(error));
    this.client.on('ready', () => this.logger.log('Connected to Redis for rate-limit counters'));
    this.client.defineCommand('mregHitAll', { lua: HIT_ALL_LUA });
    const command = (this.client as unknown as { mregHitAll: HitAllCommand }).mregHitAll;
    this.hitAllCommand = command.bind(this.client);
  }

  async onModuleInit(): Promise<void> {
    // Wait briefly so the first requests find a connection; an unreachable Redis must not stop the gateway starting.
    let timer: NodeJS.Timeout | undefined;
    const connected = this.client.connect().then(
      () => true,
      () => false,
    );
    const waited = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STARTUP_CONNECT_WAIT_MS);
    });
    const ok = await Promise.race([connected, waited]);
    clearTimeout(timer);
    if (!ok)
      this.logger.warn('Redis for rate-limit counters is not reachable yet; retrying in the background');
  }

  async hitAll(hits: readonly CounterHit[]): Promise<HitAllResult> {
    const keys = hits.map((hit) => this.options.keyPrefix + hit.key);
    const args = hits.flatMap((hit) => [hit.windowMs, hit.limit, hit.cost]);
    const reply = await this.hitAllCommand(keys.length, ...keys, ...args);
    return {
      admitted: reply[0] === 1,
      states: hits.map((_, i) => ({ count: reply[1 + i * 2], resetMs: reply[2 + i * 2] })),
    };
  }

  /** GET and PTTL of each counter in one round trip; a key without a live window (PTTL ≤ 0) counts as empty. */
  async peekAll(counters: readonly CounterPeek[]): Promise<readonly CounterState[]> {
    const pipeline = this.client.pipeline();
    for (const counter of counters) {
      const key = this.options.keyPrefix + counter.key;
      pipeline.get(key).pttl(key);
    }
    const replies = (await pipeline.exec()) ?? [];
    return counters.map((counter, i) => {
      const [countError, count] = replies[i * 2] ?? [];
      const [ttlError, ttl] = replies[i * 2 + 1] ?? [];
      const error = countError ?? ttlError;
      if (error) throw error;
      return typeof ttl === 'number' && ttl > 0
        ? { count: Number(count ?? 0), resetMs: ttl }
        : { count: 0, resetMs: counter.windowMs };
    });
  }

  onApplicationShutdown(): void {
    this.closed = true;
    // disconnect, not quit: quit waits for a reply that an unreachable Redis never sends.
    this.client.disconnect();
  }

  private logConnectionError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis for rate-limit counters: ${error.message}`);
  }
}
