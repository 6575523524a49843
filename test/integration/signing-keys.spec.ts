import type { DataSource } from 'typeorm';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Entra mode keeps signing keys in PostgreSQL: a rotation reaches every replica before the new key signs. */
describe('signing keys shared through PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('keys');
    db = createDataSource({ target: { url: database.url }, poolSize: 2 });
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
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
});
