import { resealValue, type SecretResealer } from '../database/reseal.js';
import type { StoredUpstreamAuth } from './registry.types.js';
import { serverSecretBinding } from './upstream-secrets.js';

type KeysOfEach<T> = T extends unknown ? keyof T : never;
type SealedField = Extract<KeysOfEach<StoredUpstreamAuth>, `sealed${string}`>;

/** The fields of a stored upstream auth that hold sealed values: a new one fails type-check until it is listed. */
const SEALED_FIELDS = Object.keys({
  sealedValue: true,
  sealedClientSecret: true,
} satisfies Record<SealedField, true>) as SealedField[];

/** `keys reseal`'s step for the servers' upstream credentials (`mcp_servers.upstream_auth`). */
export const serverSecretResealer: SecretResealer = {
  name: 'serverSecrets',
  what: "servers' upstream credentials",
  async reseal(manager, box) {
    const rows = await manager.query<{ id: string; upstream_auth: Record<string, unknown> }[]>(
      `SELECT id, upstream_auth FROM mcp_servers WHERE upstream_auth ?| $1::text[] FOR UPDATE`,
      [SEALED_FIELDS],
    );
    for (const row of rows) {
      const auth = { ...row.upstream_auth };
      for (const field of SEALED_FIELDS) {
        const sealed = auth[field];
        if (typeof sealed === 'string') {
          const what = `The upstream credential of server ${row.id}`;
          auth[field] = resealValue(box, sealed, serverSecretBinding(row.id), what);
        }
      }
      await manager.query(`UPDATE mcp_servers SET upstream_auth = $2::jsonb WHERE id = $1`, [
        row.id,
        JSON.stringify(auth),
      ]);
    }
    return rows.length;
  },
};
