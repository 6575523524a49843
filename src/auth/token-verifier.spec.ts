import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { GatewayTokens } from './gateway-tokens.js';
import { SigningKeyStore } from './signing-keys.js';
import { TokenVerifier } from './token-verifier.js';

describe('TokenVerifier with gateway tokens', () => {
  const auth = loadConfig({}, { dotenvDir: false }).config.auth;
  let tokens: GatewayTokens;
  let sut: TokenVerifier;
  let keyFile: string;

  beforeAll(async () => {
    keyFile = SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-keys-')));
    tokens = new GatewayTokens(await SigningKeyStore.open(keyFile), 'urn:test');
    sut = new TokenVerifier(auth, tokens);
  });

  const issue = (overrides: Partial<Parameters<GatewayTokens['issue']>[0]> = {}) =>
    tokens.issue({
      tenantKey: 'local:acme',
      oid: 'o-1',
      sub: 's-1',
      roles: ['server_owner'],
      kind: 'local',
      audience: ['http://gw/mcp', 'http://gw'],
      ttlSeconds: 600,
      ...overrides,
    });

  it('returns the identity with implied roles and the audiences to check per request', async () => {
    const identity = await sut.verify(await issue());
    expect(identity).toMatchObject({
      tenantKey: 'local:acme',
      oid: 'o-1',
      roles: ['server_owner', 'user'],
      tokenKind: 'local',
      audiences: ['http://gw/mcp', 'http://gw'],
    });
  });

  it('answers a repeated token from the cache', async () => {
    const token = await issue({ oid: 'o-cache' });
    const first = await sut.verify(token);
    const ratioBefore = sut.cacheHitRatio();
    const second = await sut.verify(token);
    expect(second).toBe(first);
    expect(sut.cacheHitRatio()).toBeGreaterThan(ratioBefore);
  });

  it('stops answering from the cache for a token whose key was retired', async () => {
    const file = SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-keys-')));
    const store = await SigningKeyStore.open(file);
    const own = new GatewayTokens(store, 'urn:test');
    const verifier = new TokenVerifier(auth, own);
    const oldKid = store.signingKey.kid;
    const token = await own.issue({
      tenantKey: 't',
      oid: 'o-retired',
      sub: 's',
      roles: ['user'],
      kind: 'local',
      audience: 'x',
      ttlSeconds: 600,
    });
    await verifier.verify(token);
    await SigningKeyStore.rotateFile(file, new Date());
    await SigningKeyStore.retireFromFile(file, () => [oldKid]);
    await store.refresh();

    await expect(verifier.verify(token)).rejects.toThrow();
  });

  it('refuses tokens signed by another key, and reports the issuer of ours for the per-request check', async () => {
    const claims = {
      tenantKey: 't',
      oid: 'o',
      sub: 's',
      roles: ['admin'],
      kind: 'local',
      audience: 'x',
      ttlSeconds: 60,
    } as const;
    const otherKeys = await SigningKeyStore.open(
      SigningKeyStore.fileFor(mkdtempSync(join(tmpdir(), 'mreg-keys-'))),
    );
    // Not our kid, so it is not treated as a gateway token at all, and its issuer is nobody we trust.
    await expect(sut.verify(await new GatewayTokens(otherKeys, 'urn:test').issue(claims))).rejects.toThrow(
      /issuer is not trusted/,
    );
    const otherIssuer = new GatewayTokens(await SigningKeyStore.open(keyFile), 'urn:other');
    expect((await sut.verify(await otherIssuer.issue(claims))).issuer).toBe('urn:other');
  });

  it('keeps the signing key file private, and a second opener (the CLI) signs with the same key', async () => {
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const cli = new GatewayTokens(await SigningKeyStore.open(keyFile), 'urn:test');
    const token = await cli.issue({
      tenantKey: 'local:acme',
      oid: 'o',
      sub: 's',
      roles: ['user'],
      kind: 'local',
      audience: 'x',
      ttlSeconds: 60,
    });
    expect(tokens.owns(token)).toBe(true);
    await expect(sut.verify(token)).resolves.toMatchObject({ oid: 'o' });
  });
});
