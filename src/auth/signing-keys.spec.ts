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
});
