import type { DataSource } from 'typeorm';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { SECRET_RESEALERS } from '../../src/app/secret-resealers.js';
import { resealSecrets } from '../../src/database/reseal.js';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/test-database.js';

/** Entra mode keeps signing keys in PostgreSQL: a rotation reaches every replica before the new key signs. */
describe('signing keys shared through PostgreSQL', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createMigratedTestDatabase('keys', 2);
    db = database.db;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('two replicas agree on one key, then on a rotated one from its activation time', async () => {
    const box = SecretBox.fromConfig({ encryptionKey: TEST_ENCRYPTION_KEY })!;
    const [a, b] = await Promise.all([
      SigningKeyStore.openInDatabase(db, box),
      SigningKeyStore.openInDatabase(db, box),
    ]);
    expect(a.signingKey.kid).toBe(b.signingKey.kid);
    const first = a.signingKey.kid;

    const activeFrom = new Date(Date.now() + 120_000);
    const rotated = await SigningKeyStore.rotateInDatabase(db, box, activeFrom);
    await Promise.all([a.refresh(), b.refresh()]);
    expect([a.signingKey.kid, b.signingKey.kid]).toEqual([first, first]);
    expect(b.hasKey(rotated)).toBe(true);

    const after = new Date(activeFrom.getTime() + 1000);
    await Promise.all([a.refresh(after), b.refresh(after)]);
    expect([a.signingKey.kid, b.signingKey.kid]).toEqual([rotated, rotated]);
    const token = await new GatewayTokens(a, 'urn:test').issue({
      tenantKey: 't',
      oid: 'o',
      sub: 's',
      roles: ['user'],
      kind: 'gateway',
      audience: 'http://gw',
      ttlSeconds: 60,
    });
    await expect(new GatewayTokens(b, 'urn:test').verify(token)).resolves.toMatchObject({
      payload: { oid: 'o' },
    });
  });

  it('re-seals every stored secret with the current key, after which the old key is no longer needed', async () => {
    const [oldKey, newKey] = ['a'.repeat(64), 'b'.repeat(64)];
    const oldBox = new SecretBox(oldKey);
    const kid = await SigningKeyStore.rotateInDatabase(db, oldBox, new Date());
    await db.query(
      `INSERT INTO upstream_tokens (tenant_key, oid, access_token, refresh_token, expires_at, updated_at)
       VALUES ('t', 'o', $1, $2, now(), now())`,
      [oldBox.seal('access', 't/o'), oldBox.seal('refresh', 't/o')],
    );
    const [{ id: tenantId }] = await db.query<{ id: string }[]>(
      `INSERT INTO tenants (entra_tenant_id, name) VALUES ('reseal', 'reseal') RETURNING id`,
    );
    const [{ id: serverId }] = await db.query<{ id: string }[]>(
      `INSERT INTO mcp_servers (tenant_id, name, endpoints, transport, owner_oid)
       VALUES ($1, 'sealed', '[{"url":"http://example.com/mcp","weight":1}]', 'streamable-http', 'o') RETURNING id`,
      [tenantId],
    );
    await db.query(`UPDATE mcp_servers SET upstream_auth = $2::jsonb WHERE id = $1`, [
      serverId,
      JSON.stringify({
        type: 'static',
        headerName: 'X-Key',
        sealedValue: oldBox.seal('upstream', `mcp_servers:${serverId}`),
      }),
    ]);

    // Only the new key: a value sealed with the old one is refused, and nothing is changed.
    await expect(resealSecrets(db, new SecretBox(newKey), SECRET_RESEALERS)).rejects.toThrow(
      /opens with none of the configured keys/,
    );

    // The first test's keys were sealed with the test key: every key a value may still use is listed.
    const result = await resealSecrets(
      db,
      new SecretBox(newKey, [oldKey, TEST_ENCRYPTION_KEY]),
      SECRET_RESEALERS,
    );
    expect(result).toMatchObject({ upstreamTokens: 1, serverSecrets: 1 });
    expect(result.signingKeys).toBeGreaterThanOrEqual(2);

    const onlyNew = new SecretBox(newKey);
    const [key] = await db.query<{ private_jwk: string }[]>(
      `SELECT private_jwk FROM oauth_signing_keys WHERE kid = $1`,
      [kid],
    );
    expect(() => onlyNew.open(key.private_jwk, kid)).not.toThrow();
    const [token] = await db.query<{ refresh_token: string }[]>(
      `SELECT refresh_token FROM upstream_tokens WHERE oid = 'o'`,
    );
    expect(onlyNew.open(token.refresh_token, 't/o')).toBe('refresh');
    const [server] = await db.query<{ upstream_auth: { sealedValue: string; headerName: string } }[]>(
      `SELECT upstream_auth FROM mcp_servers WHERE id = $1`,
      [serverId],
    );
    expect(server.upstream_auth.headerName).toBe('X-Key');
    expect(onlyNew.open(server.upstream_auth.sealedValue, `mcp_servers:${serverId}`)).toBe('upstream');
  });
});
