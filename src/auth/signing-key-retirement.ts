import type { AuthMode } from '../config/app-config.js';
import { CLOCK_SKEW_SECONDS, LOCAL_TOKEN_MAX_TTL_SECONDS } from './gateway-tokens.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './oauth/token-endpoint.service.js';
import { SESSION_TTL_SECONDS } from './session-cookie.js';
import { SIGNING_KEY_REFRESH_MS } from './signing-key-refresh.js';
import { type KeyActivation, signingKeyAt } from './signing-keys.js';

/**
 * The longest a token signed with these keys can live. They sign OAuth access tokens (15 min), browser session
 * cookies (8 h), the upstream identity header (60 s) and the CLI's own API calls (5 min); refresh tokens are opaque
 * and kept in PostgreSQL, so retiring a key never touches them. In local mode `mcp-gateway token` mints tokens of up
 * to 30 days with the same keys.
 */
export function longestTokenLifetimeSeconds(mode: AuthMode): number {
  const lifetimes = [ACCESS_TOKEN_TTL_SECONDS, SESSION_TTL_SECONDS];
  if (mode === 'local') lifetimes.push(LOCAL_TOKEN_MAX_TTL_SECONDS);
  return Math.max(...lifetimes);
}

/**
 * How long a superseded key must stay: a replica may go on signing with it until its next reload (one refresh
 * interval after the successor's activation), such a token lives up to the longest lifetime, and verifiers accept it
 * for the clock-skew tolerance past its expiry.
 */
export function retentionMs(mode: AuthMode): number {
  return (longestTokenLifetimeSeconds(mode) + CLOCK_SKEW_SECONDS) * 1000 + SIGNING_KEY_REFRESH_MS;
}

export type KeyState =
  | { kid: string; state: 'signing' | 'pending'; signsFrom: string }
  | {
      kid: string;
      state: 'superseded';
      signsFrom: string;
      /** When a newer key took over: the last moment it signed (it never did if equal to signsFrom). */
      signedUntil: string;
      /** From when no token it signed can still be valid. */
      retirableFrom: string;
    };
export type SupersededKey = Extract<KeyState, { state: 'superseded' }>;

/** Where each key stands at `now`: signing, pending (signs later), or superseded and since when. */
export function keyStates(keys: readonly KeyActivation[], now: Date, retentionMillis: number): KeyState[] {
  const signing = signingKeyAt(keys, now);
  const nowIso = now.toISOString();
  return keys.map((key, index): KeyState => {
    if (key === signing) return { kid: key.kid, state: 'signing', signsFrom: key.createdAt };
    if (key.createdAt > nowIso) return { kid: key.kid, state: 'pending', signsFrom: key.createdAt };
    // Its successor is the earliest due key that beats it (later, or equal and listed first, as signingKeyAt
    // breaks ties); the signing key always does, so there is one.
    const until = keys
      .filter(
        (other, at) =>
          other.createdAt <= nowIso &&
          (other.createdAt > key.createdAt || (other.createdAt === key.createdAt && at < index)),
      )
      .reduce((earliest, other) => (other.createdAt < earliest ? other.createdAt : earliest), nowIso);
    return {
      kid: key.kid,
      state: 'superseded',
      signsFrom: key.createdAt,
      signedUntil: until,
      retirableFrom: new Date(new Date(until).getTime() + retentionMillis).toISOString(),
    };
  });
}

export interface RetireRequest {
  /** One key by id; otherwise every superseded key. */
  kid?: string;
  /** Also retire keys superseded too recently (tokens they signed stop verifying). */
  force?: boolean;
}

export interface RetirePlan {
  retire: SupersededKey[];
  /** The keys in `retire` whose tokens may still be valid (only with force). */
  early: SupersededKey[];
  /** Superseded keys left alone because tokens they signed may still be valid. */
  kept: SupersededKey[];
}

/** A refusal with a stable message: the key signs now or later, is unknown, or was superseded too recently. */
export class RetireRefusedError extends Error {}

/** Which keys `keys retire` removes; throws RetireRefusedError when the one key asked for must stay. */
export function planRetirement(
  keys: readonly KeyActivation[],
  request: RetireRequest,
  now: Date,
  retentionMillis: number,
): RetirePlan {
  const states = keyStates(keys, now, retentionMillis);
  const nowIso = now.toISOString();
  const isDue = (key: SupersededKey) => key.retirableFrom <= nowIso;
  if (request.kid !== undefined) {
    const key = states.find((state) => state.kid === request.kid);
    if (!key) throw new RetireRefusedError(`No signing key ${request.kid}`);
    switch (key.state) {
      case 'signing':
        throw new RetireRefusedError(
          `Refusing to retire ${key.kid}: it signs now (rotate first, and retire it once superseded)`,
        );
      case 'pending':
        throw new RetireRefusedError(
          `Refusing to retire ${key.kid}: it signs from ${key.signsFrom}, it has not been superseded`,
        );
      case 'superseded':
        if (isDue(key)) return { retire: [key], early: [], kept: [] };
        if (!request.force) {
          throw new RetireRefusedError(
            `Refusing to retire ${key.kid}: superseded at ${key.signedUntil}, tokens it signed may be valid until ` +
              `${key.retirableFrom}; wait until then or pass --force`,
          );
        }
        return { retire: [key], early: [key], kept: [] };
    }
  }
  const superseded = states.filter((state): state is SupersededKey => state.state === 'superseded');
  const early = superseded.filter((key) => !isDue(key));
  return request.force
    ? { retire: superseded, early, kept: [] }
    : { retire: superseded.filter(isDue), early: [], kept: early };
}
