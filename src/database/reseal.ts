import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../common/crypto/secret-box.js';

export interface ResealResult {
  signingKeys: number;
  upstreamTokens: number;
  serverSecrets: number;
}

/** Fields of `mcp_servers.upstream_auth` that hold sealed values (bound to `mcp_servers:{id}`). */
const SERVER_SECRET_FIELDS = ['sealedValue', 'sealedClientSecret'] as const;

/**
 * Re-seals every long-lived secret at rest with the current MREG_ENCRYPTION_KEY (opening with it or any previous key),
 * in one transaction: token signing keys, stored Entra tokens, upstream credentials. Afterwards no stored value needs
 * an old key, and it can leave MREG_ENCRYPTION_KEY_PREVIOUS. A value no configured key opens aborts the whole run.
 * Short-lived values are left to expire: proxy session ids (24 h) and pending sign-ins (minutes).
 */
export function resealSecrets(dataSource: DataSource, box: SecretBox): Promise<ResealResult> {
  return dataSource.transaction(async (manager) => ({
    signingKeys: await resealSigningKeys(manager, box),
    upstreamTokens: await resealUpstreamTokens(manager, box),
    serverSecrets: await resealServerSecrets(manager, box),
  }));
}

function reseal(box: SecretBox, sealed: string, boundTo: string, what: string): string {
  try {
    return box.seal(box.open(sealed, boundTo), boundTo);
  } catch {
    throw new Error(`${what} opens with none of the configured keys; nothing was changed`);
  }
}

async function resealSigningKeys(manager: EntityManager, box: SecretBox): Promise<number> {
  const rows = await manager.query<{ kid: string; private_jwk: string }[]>(
    `SELECT kid, private_jwk FROM oauth_signing_keys FOR UPDATE`,
  );
  for (const row of rows) {
    await manager.query(`UPDATE oauth_signing_keys SET private_jwk = $2 WHERE kid = $1`, [
      row.kid,
      reseal(box, row.private_jwk, row.kid, `Signing key ${row.kid}`),
    ]);
  }
  return rows.length;
}

async function resealUpstreamTokens(manager: EntityManager, box: SecretBox): Promise<number> {
  const rows = await manager.query<
    { tenant_key: string; oid: string; access_token: string; refresh_token: string | null }[]
  >(`SELECT tenant_key, oid, access_token, refresh_token FROM upstream_tokens FOR UPDATE`);
  for (const row of rows) {
    const boundTo = `${row.tenant_key}/${row.oid}`;
    const what = `The stored Entra token of ${boundTo}`;
    await manager.query(
      `UPDATE upstream_tokens SET access_token = $3, refresh_token = $4 WHERE tenant_key = $1 AND oid = $2`,
      [
        row.tenant_key,
        row.oid,
        reseal(box, row.access_token, boundTo, what),
        row.refresh_token === null ? null : reseal(box, row.refresh_token, boundTo, what),
      ],
    );
  }
  return rows.length;
}

async function resealServerSecrets(manager: EntityManager, box: SecretBox): Promise<number> {
  const rows = await manager.query<{ id: string; upstream_auth: Record<string, unknown> }[]>(
    `SELECT id, upstream_auth FROM mcp_servers
     WHERE upstream_auth ?| array['sealedValue', 'sealedClientSecret'] FOR UPDATE`,
  );
  for (const row of rows) {
    const auth = { ...row.upstream_auth };
    for (const field of SERVER_SECRET_FIELDS) {
      const sealed = auth[field];
      if (typeof sealed === 'string') {
        auth[field] = reseal(
          box,
          sealed,
          `mcp_servers:${row.id}`,
          `The upstream credential of server ${row.id}`,
        );
      }
    }
    await manager.query(`UPDATE mcp_servers SET upstream_auth = $2::jsonb WHERE id = $1`, [
      row.id,
      JSON.stringify(auth),
    ]);
  }
  return rows.length;
}
