import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../common/crypto/secret-box.js';

/**
 * One feature's part of `mcp-gateway keys reseal`: re-seals, in the transaction it is given, the values that feature
 * stores sealed, and returns how many rows it changed. Each feature provides its own beside the code that seals those
 * values, so it binds them to the same associated data; `database` knows none of them (the composition root lists
 * them, `src/app/secret-resealers.ts`).
 */
export interface SecretResealer {
  /** The key of its count in the result. */
  readonly name: string;
  /** What it re-seals, plural, as the report names it ("signing keys"). */
  readonly what: string;
  reseal(manager: EntityManager, box: SecretBox): Promise<number>;
}

/** Rows re-sealed, by resealer name. */
export type ResealResult = Record<string, number>;

/**
 * Re-seals every long-lived secret at rest with the current MREG_ENCRYPTION_KEY (opening with it or any previous key),
 * in one transaction across every resealer. Afterwards no stored value needs an old key, and it can leave
 * MREG_ENCRYPTION_KEY_PREVIOUS. A value no configured key opens aborts the whole run. Short-lived values are left to
 * expire: proxy session ids (24 h) and pending sign-ins (minutes).
 */
export function resealSecrets(
  dataSource: DataSource,
  box: SecretBox,
  resealers: readonly SecretResealer[],
): Promise<ResealResult> {
  return dataSource.transaction(async (manager) => {
    const counts: ResealResult = {};
    for (const resealer of resealers) counts[resealer.name] = await resealer.reseal(manager, box);
    return counts;
  });
}

/**
 * `sealed` opened with any configured key and sealed again with the current one, under the same associated data.
 * Throws (which rolls the whole run back) when no configured key opens it; `what` names the value in that error.
 */
export function resealValue(box: SecretBox, sealed: string, boundTo: string, what: string): string {
  try {
    return box.seal(box.open(sealed, boundTo), boundTo);
  } catch {
    throw new Error(`${what} opens with none of the configured keys; nothing was changed`);
  }
}
