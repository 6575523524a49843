import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { runPeriodically } from '../../common/periodic.js';
import { DataSource } from 'typeorm';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Often enough that anonymous `/oauth/login` and `/oauth/register` traffic cannot pile up for long. */
const RUN_EVERY_MS = 10 * MINUTE_MS;
const FIRST_RUN_AFTER_MS = MINUTE_MS;
/** Rows per DELETE: each batch is a short transaction of its own, so sign-ins are never held up behind a purge. */
export const PURGE_BATCH = 1000;

/**
 * Authorization requests live 10 minutes and nothing reads one after its expiry (pending, callback and decision
 * lookups all require `expires_at > now`); the hour only absorbs clock differences between replicas.
 */
export const REQUEST_RETENTION_MS = HOUR_MS;
/**
 * Codes live 60 seconds. A used code presented again revokes the refresh family it produced (RFC 6749 §4.1.2), which
 * matters while the legitimate client may still redeem it: seconds after it was issued. A day after expiry is far
 * beyond that; codes exist only for real sign-ins, so keeping them longer costs little.
 */
export const CODE_RETENTION_MS = DAY_MS;
/**
 * Refresh tokens go by family, never one by one: every used token of a live family must stay, because presenting
 * one again is how reuse (a stolen copy) is detected and the family revoked. A family goes only once none of its
 * tokens can be redeemed any more — all expired (every token of a family shares its expiry), or all revoked — and a
 * day has passed since, so a replayed token still meets a known, dead family rather than silence in that time.
 */
export const FAMILY_RETENTION_MS = DAY_MS;
/**
 * Dynamically registered clients with nothing referring to them (no authorization request, code or refresh token)
 * 30 days after registration: either never used, or their last sign-in's family ended (30 days) and was purged. A
 * client coming back after that gets `invalid_client` at its refresh and registers again, as MCP clients do.
 */
export const UNUSED_CLIENT_AGE_MS = 30 * DAY_MS;

/** pg_try_advisory_xact_lock key ('MROP'): one replica purges at a time; the others skip that run. */
const LOCK_KEY = 0x4d524f50;

export interface PurgeResult {
  authorizationRequests: number;
  authorizationCodes: number;
  refreshTokens: number;
  clients: number;
}

/**
 * Deletes OAuth state nobody can use any more. Without it every unauthenticated `/oauth/login`, every client
 * registration and every code and refresh rotation would add a row forever (only a per-IP rate limit bounds the rate).
 * Every replica runs it; the DELETEs are batched and idempotent and each batch takes a cluster-wide advisory lock,
 * so replicas do not duplicate the work, and a replica that finds the lock held leaves this run to the holder.
 */
@Injectable()
export class OAuthStatePurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OAuthStatePurge');
  private stopTimers: () => void = () => undefined;
  private stopped = false;

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.stopTimers = runPeriodically({
      name: 'OAuth state purge',
      firstAfterMs: FIRST_RUN_AFTER_MS,
      everyMs: RUN_EVERY_MS,
      run: () => this.runOnce(),
      logger: this.logger,
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.stopTimers();
  }

  /** One purge; `undefined` when another replica holds the lock (it finishes the run). */
  async runOnce(now = new Date()): Promise<PurgeResult | undefined> {
    const before = (ms: number) => new Date(now.getTime() - ms);
    const result: PurgeResult = {
      authorizationRequests: 0,
      authorizationCodes: 0,
      refreshTokens: 0,
      clients: 0,
    };
    const steps: [keyof PurgeResult, string, unknown[]][] = [
      [
        'authorizationRequests',
        `SELECT id FROM oauth_authorization_requests WHERE expires_at < $1`,
        [before(REQUEST_RETENTION_MS)],
      ],
      [
        'authorizationCodes',
        `SELECT code_hash FROM oauth_authorization_codes WHERE expires_at < $1`,
        [before(CODE_RETENTION_MS)],
      ],
      [
        'refreshTokens',
        // A family stays while any token of it is unexpired and any is unrevoked (or revoked recently). Deleting some
        // of a dead family's rows leaves the rest dead, so a run cut short between batches is finished by the next.
        `SELECT t.token_hash FROM oauth_refresh_tokens t
          WHERE NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens f WHERE f.family_id = t.family_id AND f.expires_at >= $1)
             OR NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens f WHERE f.family_id = t.family_id
                             AND (f.revoked_at IS NULL OR f.revoked_at >= $1))`,
        [before(FAMILY_RETENTION_MS)],
      ],
      [
        'clients',
        // Only dynamic registrations are rows we made on an anonymous request; anything still referring to a client
        // (even an unexpired authorization request in progress) keeps it.
        `SELECT c.client_id FROM oauth_clients c
          WHERE c.registration_kind = 'dcr' AND c.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens t WHERE t.client_id = c.client_id)
            AND NOT EXISTS (SELECT 1 FROM oauth_authorization_codes a WHERE a.client_id = c.client_id)
            AND NOT EXISTS (SELECT 1 FROM oauth_authorization_requests r WHERE r.client_id = c.client_id)`,
        [before(UNUSED_CLIENT_AGE_MS)],
      ],
    ];
    let total = 0;
    for (const [name, select, params] of steps) {
      const deleted = await this.deleteAll(TABLES[name], select, params);
      if (deleted === undefined) return undefined;
      result[name] = deleted;
      total += deleted;
    }
    if (total > 0) this.logger.log(`Purged expired OAuth state: ${JSON.stringify(result)}`);
    return result;
  }

  /** Deletes, in batches, the rows whose key `select` returns; undefined when the lock is held elsewhere. */
  private async deleteAll(
    table: { name: string; key: string },
    select: string,
    params: unknown[],
  ): Promise<number | undefined> {
    let deleted = 0;
    while (!this.stopped) {
      const count = await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock($1) AS locked`,
          [LOCK_KEY],
        );
        if (!locked) return -1;
        const [{ n }] = await manager.query<{ n: number }[]>(
          `WITH gone AS (
             DELETE FROM ${table.name} WHERE ${table.key} IN (${select} LIMIT ${PURGE_BATCH}) RETURNING 1
           ) SELECT count(*)::int AS n FROM gone`,
          params,
        );
        return n;
      });
      if (count < 0) return undefined;
      deleted += count;
      if (count < PURGE_BATCH) break;
    }
    return deleted;
  }
}

const TABLES: Record<keyof PurgeResult, { name: string; key: string }> = {
  authorizationRequests: { name: 'oauth_authorization_requests', key: 'id' },
  authorizationCodes: { name: 'oauth_authorization_codes', key: 'code_hash' },
  refreshTokens: { name: 'oauth_refresh_tokens', key: 'token_hash' },
  clients: { name: 'oauth_clients', key: 'client_id' },
};
