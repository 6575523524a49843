import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayTokens } from './gateway-tokens.js';
import { SigningKeyStore } from './signing-keys.js';

describe('signing key rotation', () => {
  const claims = {
    tenantKey: 'local:acme',
    oid: 'o',
    sub: 's',
    roles: ['user' as const],
    kind: 'local' as const,
    audience: 'http://gw',
    ttlSeconds: 600,
  };

  it('publishes a rotated key at once, signs with it from its activation, and keeps verifying the old one', async () => {
    const file = SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-rotate-')));
    const replicaA = await SigningKeyStore.open(file);
    const replicaB = await SigningKeyStore.open(file);
    const tokensA = new GatewayTokens(replicaA, 'urn:test');
    const tokensB = new GatewayTokens(replicaB, 'urn:test');
    const oldKid = replicaA.signingKey.kid;
    const oldToken = await tokensA.issue(claims);

    const activeFrom = new Date(Date.now() + 60_000);
    const newKid = await SigningKeyStore.rotateFile(file, activeFrom);
    await Promise.all([replicaA.refresh(), replicaB.refresh()]);
    // Published, not yet signing.
    expect(replicaA.signingKey.kid).toBe(oldKid);
    expect(replicaB.hasKey(newKid)).toBe(true);

    const later = new Date(activeFrom.getTime() + 1);
    await Promise.all([replicaA.refresh(later), replicaB.refresh(later)]);
    expect(replicaA.signingKey.kid).toBe(newKid);
    const newToken = await tokensA.issue(claims);
    // Either replica verifies tokens of both keys.
    await expect(tokensB.verify(newToken)).resolves.toMatchObject({ payload: { oid: 'o' } });
    await expect(tokensB.verify(oldToken)).resolves.toMatchObject({ payload: { oid: 'o' } });
    expect(replicaB.describe()).toEqual([
      { kid: oldKid, activeFrom: expect.any(String), signing: false },
      { kid: newKid, activeFrom: activeFrom.toISOString(), signing: true },
    ]);
  });

  it('a retired key is dropped from the JWKS and the verifier at the next reload; the signing key stays', async () => {
    const file = SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-retire-')));
    const replica = await SigningKeyStore.open(file);
    const tokens = new GatewayTokens(replica, 'urn:test');
    const oldKid = replica.signingKey.kid;
    const oldToken = await tokens.issue(claims);
    const newKid = await SigningKeyStore.rotateFile(file, new Date());
    await replica.refresh();
    expect(replica.signingKey.kid).toBe(newKid);
    const newToken = await tokens.issue(claims);
    await expect(tokens.verify(oldToken)).resolves.toBeDefined();

    const retired = await SigningKeyStore.retireFromFile(file, (keys) => {
      expect(keys.map((key) => key.kid)).toEqual([oldKid, newKid]);
      return [oldKid];
    });
    expect(retired.map((key) => key.kid)).toEqual([oldKid]);
    // Until the reload the replica still has it; then it is gone from every view of the key set.
    expect(replica.hasKey(oldKid)).toBe(true);
    await replica.refresh();
    expect(replica.hasKey(oldKid)).toBe(false);
    expect(replica.publicJwks().keys.map((key) => key.kid)).toEqual([newKid]);
    expect(tokens.owns(oldToken)).toBe(false);
    await expect(tokens.verify(oldToken)).rejects.toThrow('signed by an unknown key');
    await expect(tokens.verify(newToken)).resolves.toMatchObject({ payload: { oid: 'o' } });
    expect(replica.signingKey.kid).toBe(newKid);
  });

  it('concurrent rotations and retirements of the key file each see the others: none is lost', async () => {
    const file = SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-retire-')));
    const first = (await SigningKeyStore.open(file)).signingKey.kid;
    const second = await SigningKeyStore.rotateFile(file, new Date());
    const [third, , fourth] = await Promise.all([
      SigningKeyStore.rotateFile(file, new Date(Date.now() + 60_000)),
      SigningKeyStore.retireFromFile(file, () => [first]),
      SigningKeyStore.rotateFile(file, new Date(Date.now() + 120_000)),
    ]);
    const store = await SigningKeyStore.open(file);
    expect(store.describe().map((key) => key.kid)).toEqual(expect.arrayContaining([second, third, fourth]));
    expect(store.describe()).toHaveLength(3);
    // Whatever the rule says, a store is never left without a key.
    await expect(SigningKeyStore.retireFromFile(file, (keys) => keys.map((key) => key.kid))).rejects.toThrow(
      'Refusing to retire every signing key',
    );
    expect((await SigningKeyStore.open(file)).describe()).toHaveLength(3);
  });
});
