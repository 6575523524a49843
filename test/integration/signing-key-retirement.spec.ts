import type { DataSource } from 'typeorm';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { planRetirement, RetireRefusedError, retentionMs } from '../../src/auth/signing-key-retirement.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/test-database.js';

const HOUR = 3_600_000;

/** Entra mode: retiring a shared key in PostgreSQL takes it off every replica's JWKS and verifier at its reload. */
describe('retiring signing keys shared through PostgreSQL', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;
  const box = SecretBox.fromConfig({ encryptionKey: TEST_ENCRYPTION_KEY })!;
  const claims = {
    tenantKey: 't',
    oid: 'o',
    sub: 's',
    roles: ['user' as const],
    kind: 'gateway' as const,
    audience: 'http://gw',
    ttlSeconds: 600,
  };

  beforeAll(async () => {
    database = await createMigratedTestDatabase('retire', 3);
    db = database.db;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('retires only keys superseded long enough; replicas stop publishing and accepting them at the next reload', async () => {
    const [a, b] = await Promise.all([
      SigningKeyStore.openInDatabase(db, box),
      SigningKeyStore.openInDatabase(db, box),
    ]);
    const first = a.signingKey.kid;
    const t0 = Date.parse(a.describe().find((key) => key.kid === first)!.activeFrom);
    const tokenOfFirst = await new GatewayTokens(a, 'urn:test').issue(claims);
    // first signs 0h-1h, second 1h-10h, third from 10h, fourth from 20h; the clock below is injected.
    const second = await SigningKeyStore.rotateInDatabase(db, box, new Date(t0 + HOUR));
    const third = await SigningKeyStore.rotateInDatabase(db, box, new Date(t0 + 10 * HOUR));
    const fourth = await SigningKeyStore.rotateInDatabase(db, box, new Date(t0 + 20 * HOUR));
    await a.refresh(new Date(t0 + 2 * HOUR));
    const tokenOfSecond = await new GatewayTokens(a, 'urn:test').issue(claims);
    const now = new Date(t0 + 10.5 * HOUR);
    await Promise.all([a.refresh(now), b.refresh(now)]);
    const verifier = new GatewayTokens(b, 'urn:test');
    await expect(verifier.verify(tokenOfFirst)).resolves.toBeDefined();

    let kept: string[] = [];
    const retired = await SigningKeyStore.retireInDatabase(db, (keys) => {
      const plan = planRetirement(keys, {}, now, retentionMs('entra'));
      kept = plan.kept.map((key) => key.kid);
      return plan.retire.map((key) => key.kid);
    });
    expect(retired.map((key) => key.kid)).toEqual([first]);
    expect(kept).toEqual([second]);
    const [{ count }] = await db.query<{ count: string }[]>(
      `SELECT count(*) FROM oauth_signing_keys WHERE kid = $1`,
      [first],
    );
    expect(count).toBe('0');

    // Published and accepted until the replica reloads; afterwards neither, on every replica.
    expect(b.hasKey(first)).toBe(true);
    await Promise.all([a.refresh(now), b.refresh(now)]);
    for (const replica of [a, b]) {
      expect(replica.hasKey(first)).toBe(false);
      expect(replica.publicJwks().keys.map((key) => key.kid)).not.toContain(first);
      expect(replica.signingKey.kid).toBe(third);
    }
    expect(verifier.owns(tokenOfFirst)).toBe(false);
    await expect(verifier.verify(tokenOfFirst)).rejects.toThrow('signed by an unknown key');
    await expect(verifier.verify(tokenOfSecond)).resolves.toMatchObject({ payload: { oid: 'o' } });

    // The signing key and a key that signs later stay, whatever is asked.
    for (const kid of [third, fourth]) {
      await expect(
        SigningKeyStore.retireInDatabase(db, (keys) =>
          planRetirement(keys, { kid, force: true }, now, retentionMs('entra')).retire.map((key) => key.kid),
        ),
      ).rejects.toThrow(RetireRefusedError);
    }
    await expect(SigningKeyStore.retireInDatabase(db, (keys) => keys.map((key) => key.kid))).rejects.toThrow(
      'Refusing to retire every signing key',
    );
    expect(a.describe().map((key) => key.kid)).toEqual(expect.arrayContaining([second, third, fourth]));
  });

  it('two retirements of one key at once decide one after the other: one retires it, the other finds it gone', async () => {
    // Fixed dates long past: at `now`, `newer` signs (this run's other keys sign later) and `old` may go.
    const old = await SigningKeyStore.rotateInDatabase(db, box, new Date('2000-01-01T00:00:00Z'));
    await SigningKeyStore.rotateInDatabase(db, box, new Date('2000-01-02T00:00:00Z'));
    const now = new Date('2000-01-05T00:00:00Z');
    const retireOld = () =>
      SigningKeyStore.retireInDatabase(db, (keys) =>
        planRetirement(keys, { kid: old }, now, retentionMs('entra')).retire.map((key) => key.kid),
      );
    const results = await Promise.allSettled([retireOld(), retireOld()]);
    expect(results.filter((result) => result.status === 'fulfilled')).toEqual([
      { status: 'fulfilled', value: [{ kid: old, createdAt: '2000-01-01T00:00:00.000Z' }] },
    ]);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([
      { status: 'rejected', reason: new RetireRefusedError(`No signing key ${old}`) },
    ]);
  });
});
