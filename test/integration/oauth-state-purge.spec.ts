import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OAuthRepository } from '../../src/auth/oauth/oauth.repository.js';
import { OAuthStatePurge, PURGE_BATCH } from '../../src/auth/oauth/oauth-state-purge.js';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/test-database.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const principal = { tenantKey: 't', oid: 'o', sub: 's', roles: ['user'], scopes: [], kind: 'local' };

/**
 * The purge on the real PostgreSQL: expired and dead OAuth state goes, everything still usable (or still needed to
 * detect a replayed refresh token) stays, and two replicas purging at once agree.
 */
describe('OAuth state purge', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;
  const now = new Date();
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

  beforeAll(async () => {
    database = await createMigratedTestDatabase('oauth_purge', 4);
    db = database.db;
  });
  afterAll(async () => {
    await database?.close();
  });

  const client = (id: string, createdAt: Date, kind = 'dcr') =>
    db.query(
      `INSERT INTO oauth_clients (client_id, redirect_uris, token_endpoint_auth_method, application_type,
         registration_kind, created_at) VALUES ($1, '{http://127.0.0.1/cb}', 'none', 'native', $2, $3)`,
      [id, kind, createdAt],
    );
  const request = (id: string, clientId: string, expiresAt: Date) =>
    db.query(
      `INSERT INTO oauth_authorization_requests (id, client_id, redirect_uri, code_challenge, resource,
         browser_binding_hash, csrf_token_hash, expires_at) VALUES ($1, $2, 'http://127.0.0.1/cb', 'c', 'r', 'b', 'x', $3)`,
      [id, clientId, expiresAt],
    );
  const code = (hash: string, clientId: string, expiresAt: Date, familyId = randomUUID()) =>
    db.query(
      `INSERT INTO oauth_authorization_codes (code_hash, client_id, redirect_uri, code_challenge, resource, principal,
         family_id, expires_at, used_at) VALUES ($1, $2, 'http://127.0.0.1/cb', 'c', 'r', $3, $4, $5, $5)`,
      [hash, clientId, JSON.stringify(principal), familyId, expiresAt],
    );
  /** A family as rotation leaves it: used tokens, then the current one; optionally revoked. */
  const family = async (
    name: string,
    clientId: string,
    expiresAt: Date,
    revokedAt: (Date | null)[] = [null, null, null],
  ) => {
    const familyId = randomUUID();
    for (const [index, revoked] of revokedAt.entries()) {
      const used = index < revokedAt.length - 1 ? at(-DAY) : null;
      await db.query(
        `INSERT INTO oauth_refresh_tokens (token_hash, family_id, client_id, resource, principal, expires_at, used_at,
           revoked_at) VALUES ($1, $2, $3, 'r', $4, $5, $6, $7)`,
        [`${name}-${index}`, familyId, clientId, JSON.stringify(principal), expiresAt, used, revoked],
      );
    }
    return familyId;
  };
  const keys = async (table: string, key: string): Promise<string[]> =>
    (await db.query<{ k: string }[]>(`SELECT ${key} AS k FROM ${table} ORDER BY ${key}`)).map((row) => row.k);

  it('deletes exactly the expired and dead rows, and reuse detection still works for live families', async () => {
    // Clients: unused and old (goes), unused but young, old but in use (a live family, a code, a request in progress),
    // old whose only family is dead (goes with it), and a kind we did not create on an anonymous request.
    await client('old-unused', at(-40 * DAY));
    await client('young-unused', at(-5 * DAY));
    await client('old-live-family', at(-40 * DAY));
    await client('old-recent-code', at(-40 * DAY));
    await client('old-signing-in', at(-40 * DAY));
    await client('old-dead-family', at(-40 * DAY));
    await client('old-static', at(-40 * DAY), 'static');

    const requests = {
      gone: randomUUID(),
      withinMargin: randomUUID(),
      live: randomUUID(),
    };
    await request(requests.gone, 'young-unused', at(-2 * HOUR));
    await request(requests.withinMargin, 'young-unused', at(-10 * MINUTE));
    await request(requests.live, 'old-signing-in', at(5 * MINUTE));
    // The flood an anonymous caller makes with GET /oauth/login: more than one batch of long-expired requests.
    await db.query(
      `INSERT INTO oauth_authorization_requests (client_id, redirect_uri, code_challenge, resource,
         browser_binding_hash, csrf_token_hash, expires_at)
       SELECT 'mreg:browser-session', '/', 'c', 'r', 'b', 'x', $1 FROM generate_series(1, $2)`,
      [at(-3 * HOUR), PURGE_BATCH * 2 + 17],
    );

    await code('code-gone', 'young-unused', at(-2 * DAY));
    await code('code-within-margin', 'old-recent-code', at(-HOUR));
    await code('code-live', 'young-unused', at(MINUTE));

    const live = await family('live', 'old-live-family', at(20 * DAY));
    await family('expired', 'old-dead-family', at(-2 * DAY));
    await family('expired-recently', 'young-unused', at(-12 * HOUR));
    await family('revoked', 'young-unused', at(20 * DAY), [at(-2 * DAY), at(-2 * DAY), at(-2 * DAY)]);
    await family('revoked-recently', 'young-unused', at(20 * DAY), [at(-2 * DAY), at(-HOUR), at(-HOUR)]);
    // Rotated while the family was being revoked: one token escaped revocation and is still usable.
    await family('revoked-but-one', 'young-unused', at(20 * DAY), [at(-2 * DAY), at(-2 * DAY), null]);

    // Two replicas at once: the advisory lock lets one work; what they delete together is the same.
    const sut = new OAuthStatePurge(db);
    const results = await Promise.all([sut.runOnce(now), new OAuthStatePurge(db).runOnce(now)]);
    const finished = results.filter((result) => result !== undefined);
    expect(finished.length).toBeGreaterThanOrEqual(1);

    expect(await keys('oauth_clients', 'client_id')).toEqual([
      'old-live-family',
      'old-recent-code',
      'old-signing-in',
      'old-static',
      'young-unused',
    ]);
    expect(await keys('oauth_authorization_requests', 'id::text')).toEqual(
      [requests.withinMargin, requests.live].sort(),
    );
    expect(await keys('oauth_authorization_codes', 'code_hash')).toEqual(['code-live', 'code-within-margin']);
    expect(await keys('oauth_refresh_tokens', 'token_hash')).toEqual([
      'expired-recently-0',
      'expired-recently-1',
      'expired-recently-2',
      'live-0',
      'live-1',
      'live-2',
      'revoked-but-one-0',
      'revoked-but-one-1',
      'revoked-but-one-2',
      'revoked-recently-0',
      'revoked-recently-1',
      'revoked-recently-2',
    ]);

    // A used token of the live family presented again is still recognised as reuse (the token endpoint then revokes
    // the family), and the family's current token still works.
    const oauth = new OAuthRepository(db);
    await expect(oauth.consumeRefreshToken('live-0')).resolves.toEqual({ reusedFamily: live });
    expect((await oauth.consumeRefreshToken('live-2')).token?.familyId).toBe(live);

    // Nothing left to purge: a second run deletes nothing.
    await expect(sut.runOnce(now)).resolves.toEqual({
      authorizationRequests: 0,
      authorizationCodes: 0,
      refreshTokens: 0,
      clients: 0,
    });
  });
});
