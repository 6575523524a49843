import { CLOCK_SKEW_SECONDS, LOCAL_TOKEN_MAX_TTL_SECONDS } from './gateway-tokens.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './oauth/token-endpoint.service.js';
import { SESSION_TTL_SECONDS } from './session-cookie.js';
import {
  keyStates,
  planRetirement as sut,
  RetireRefusedError,
  retentionMs,
} from './signing-key-retirement.js';
import type { KeyActivation } from './signing-keys.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * HOUR);
const key = (kid: string, hours: number, overrides: Partial<KeyActivation> = {}): KeyActivation => ({
  kid,
  createdAt: at(hours).toISOString(),
  ...overrides,
});

/** Entra mode: 8h sessions + 5m skew + 1m reload. */
const RETENTION = retentionMs('entra');

describe('signing key retirement', () => {
  // k1 signed 0h-1h, k2 1h-10h, k3 signs from 10h, k4 signs from 20h.
  const keys = [key('k1', 0), key('k2', 1), key('k3', 10), key('k4', 20)];
  const now = at(10.5);

  it('waits the longest token lifetime plus clock skew plus one reload after a key was superseded', () => {
    expect(retentionMs('entra')).toBe(
      (Math.max(ACCESS_TOKEN_TTL_SECONDS, SESSION_TTL_SECONDS) + CLOCK_SKEW_SECONDS) * 1000 + 60_000,
    );
    expect(retentionMs('entra')).toBe(8 * HOUR + 6 * 60_000);
    // Local mode also signs `mcp-gateway token` tokens, which live up to 30 days.
    expect(retentionMs('local')).toBe((LOCAL_TOKEN_MAX_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000 + 60_000);
  });

  it('knows which key signs, which sign later, and when each older one was superseded', () => {
    expect(keyStates(keys, now, RETENTION)).toEqual([
      {
        kid: 'k1',
        state: 'superseded',
        signsFrom: at(0).toISOString(),
        signedUntil: at(1).toISOString(),
        retirableFrom: new Date(at(1).getTime() + RETENTION).toISOString(),
      },
      {
        kid: 'k2',
        state: 'superseded',
        signsFrom: at(1).toISOString(),
        signedUntil: at(10).toISOString(),
        retirableFrom: new Date(at(10).getTime() + RETENTION).toISOString(),
      },
      { kid: 'k3', state: 'signing', signsFrom: at(10).toISOString() },
      { kid: 'k4', state: 'pending', signsFrom: at(20).toISOString() },
    ]);
  });

  it('--superseded retires only keys superseded longer than the retention, never the signing or a later key', () => {
    const plan = sut(keys, {}, now, RETENTION);
    expect(plan.retire.map((k) => k.kid)).toEqual(['k1']);
    expect(plan.kept.map((k) => k.kid)).toEqual(['k2']);
    expect(plan.early).toEqual([]);
  });

  it('a key qualifies exactly when its retention has passed', () => {
    const boundary = new Date(at(1).getTime() + RETENTION);
    expect(sut(keys, {}, new Date(boundary.getTime() - 1), RETENTION).retire).toEqual([]);
    expect(sut(keys, {}, boundary, RETENTION).retire.map((k) => k.kid)).toEqual(['k1']);
  });

  it('--superseded --force retires every superseded key and names those retired early', () => {
    const plan = sut(keys, { force: true }, now, RETENTION);
    expect(plan.retire.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(plan.early.map((k) => k.kid)).toEqual(['k2']);
    expect(plan.kept).toEqual([]);
  });

  it('retires one key by id once it may go', () => {
    expect(sut(keys, { kid: 'k1' }, now, RETENTION)).toMatchObject({
      retire: [{ kid: 'k1', signedUntil: at(1).toISOString() }],
      early: [],
    });
  });

  it('refuses the signing key, a key that signs later and an unknown key, even with --force', () => {
    for (const force of [false, true]) {
      expect(() => sut(keys, { kid: 'k3', force }, now, RETENTION)).toThrow(
        new RetireRefusedError(
          'Refusing to retire k3: it signs now (rotate first, and retire it once superseded)',
        ),
      );
      expect(() => sut(keys, { kid: 'k4', force }, now, RETENTION)).toThrow(
        `Refusing to retire k4: it signs from ${at(20).toISOString()}, it has not been superseded`,
      );
      expect(() => sut(keys, { kid: 'nope', force }, now, RETENTION)).toThrow('No signing key nope');
    }
  });

  it('refuses a key superseded too recently unless forced', () => {
    expect(() => sut(keys, { kid: 'k2' }, now, RETENTION)).toThrow(
      `Refusing to retire k2: superseded at ${at(10).toISOString()}, tokens it signed may be valid until ` +
        `${new Date(at(10).getTime() + RETENTION).toISOString()}; wait until then or pass --force`,
    );
    const forced = sut(keys, { kid: 'k2', force: true }, now, RETENTION);
    expect(forced.retire.map((k) => k.kid)).toEqual(['k2']);
    expect(forced.early.map((k) => k.kid)).toEqual(['k2']);
  });

  it('a key that lost a tie never signed: superseded from its own activation, as replicas break the tie', () => {
    const tied = [key('a', 0), key('b', 0)];
    expect(keyStates(tied, at(1), RETENTION)).toMatchObject([
      { kid: 'a', state: 'signing' },
      { kid: 'b', state: 'superseded', signedUntil: at(0).toISOString() },
    ]);
  });

  it('when no key is due yet, the newest signs and none is superseded', () => {
    const plan = sut([key('x', 5), key('y', 6)], { force: true }, at(1), RETENTION);
    expect(plan.retire).toEqual([]);
    expect(keyStates([key('x', 5), key('y', 6)], at(1), RETENTION).map((k) => k.state)).toEqual([
      'pending',
      'signing',
    ]);
  });
});
