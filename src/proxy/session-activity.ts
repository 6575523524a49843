import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError } from './proxy.errors.js';
import type { ProxySession } from './session-token.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const KEY_PREFIX = 'mreg:session:';
const REDIS_TIMEOUT_MS = 250;
const LOCAL_SESSIONS_MAX = 100_000;
/** At most this long between two Redis touches of a busy session (and a tenth of the idle limit at most). */
const MAX_SHARED_TOUCH_EVERY_MS = 60_000;
/** Marks the session used and says whether it had been seen within the idle limit (atomic). */
const TOUCH_LUA = `local seen = redis.call('EXISTS', KEYS[1]) redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) return seen`;

/**
 * Idle limits for sealed proxy sessions, which have no table: the last use of each session is remembered (in Redis
 * when MREG_REDIS_URL is set, so every replica agrees; in this process otherwise) for MREG_PROXY_SESSION_IDLE_MS.
 * A session not seen within that time answers 404 and the client initializes a new one, as the protocol says. Without
 * Redis, a process only expires sessions it served itself (one it never saw may be new to it, not idle); if Redis
 * cannot answer, the check is skipped rather than failing the request. A busy session costs one Redis call per
 * minute (a tenth of the idle limit at most), not one per request, so expiry may come that much early.
 */
@Injectable()
export class SessionActivity implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionActivity');
  private readonly idleMs: number;
  private readonly redis?: Redis;
  private readonly touchCommand: (key: string, idleMs: string) => Promise<number>;
  /** With Redis, a session this process touched there less than this ago is known alive without asking again. */
  private readonly sharedTouchEveryMs: number;
  /** Per session: its last use here (without Redis), or when this process last touched it in Redis. */
  private readonly local = new LRUCache<string, number>({ max: LOCAL_SESSIONS_MAX });
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.idleMs = config.proxy.sessionIdleMs;
    this.sharedTouchEveryMs = Math.min(MAX_SHARED_TOUCH_EVERY_MS, this.idleMs / 10);
    this.touchCommand = () => Promise.resolve(1);
    if (config.redisUrl && this.idleMs > 0) {
      this.redis = new Redis(config.redisUrl, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: REDIS_TIMEOUT_MS,
        connectTimeout: 2_000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
        connectionName: 'mcp-gateway-sessions',
      });
      this.redis.on('error', (error: Error) => this.warn(`Redis for session activity: ${error.message}`));
      // EVALSHA after the first call, not the script text on every request.
      this.redis.defineCommand('mregTouchSession', { numberOfKeys: 1, lua: TOUCH_LUA });
      const redis = this.redis as Redis & {
        mregTouchSession: (key: string, idleMs: string) => Promise<number>;
      };
      this.touchCommand = (key, idleMs) => redis.mregTouchSession(key, idleMs);
    }
  }

  /** Records a use of the session; throws 404 SESSION_NOT_FOUND when it had been idle too long. */
  async touch(token: string, session: ProxySession, now = Date.now()): Promise<void> {
    const key = keyOf(token);
    if (this.idleMs <= 0) {
      // No idle limit to enforce; the use is still remembered, for the active-sessions metric.
      this.local.set(key, now);
      return;
    }
    const last = this.local.get(key);
    if (this.redis) {
      // Touched in Redis a moment ago (by this process): alive, no round trip. Expiry may come up to that moment early.
      if (last !== undefined && now - last < this.sharedTouchEveryMs) return;
      if (!(await this.touchShared(key, now - session.issuedAt < this.idleMs))) {
        this.local.delete(key);
        throw idle();
      }
    } else if (last !== undefined && now - last > this.idleMs) {
      this.local.delete(key);
      throw idle();
    }
    this.local.set(key, now);
  }

  /** False when Redis says the session was idle too long; true when alive, new, or Redis cannot answer (skip). */
  private async touchShared(key: string, young: boolean): Promise<boolean> {
    try {
      const seen = await this.touchCommand(KEY_PREFIX + key, String(this.idleMs));
      if (seen === 1 || young) return true;
      await this.redis?.del(KEY_PREFIX + key).catch(() => undefined);
      return false;
    } catch (error) {
      this.warn(`Session idle check skipped: ${(error as Error).message}`);
      return true;
    }
  }

  /**
   * Sessions this process served within the last `windowMs` (a metric). With Redis a busy session is remembered at
   * its last shared touch, so the count is exact to within that minute.
   */
  activeWithin(windowMs: number, now = Date.now()): number {
    let active = 0;
    for (const lastUse of this.local.values()) if (now - lastUse <= windowMs) active++;
    return active;
  }

  /** A session the client ended: forget it. */
  async end(token: string): Promise<void> {
    const key = keyOf(token);
    this.local.delete(key);
    await this.redis?.del(KEY_PREFIX + key).catch(() => undefined);
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }

  onApplicationShutdown(): void {
    // disconnect, not quit: quit queues a command, which never completes while Redis is unreachable.
    this.redis?.disconnect();
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 32);
}

function idle(): ProxyError {
  return new ProxyError(
    404,
    ErrorCode.SESSION_NOT_FOUND,
    'Session expired after being idle; initialize a new one',
  );
}
