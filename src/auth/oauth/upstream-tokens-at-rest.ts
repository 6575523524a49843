import { resealValue, type SecretResealer } from '../../database/reseal.js';
import { UpstreamTokenEntity } from './oauth.entities.js';

/**
 * A user's stored Entra tokens are sealed bound to the user (tenant key and object id): a sealed token copied onto
 * another user's row does not open.
 */
export function upstreamTokenBinding(tenantKey: string, oid: string): string {
  return `${tenantKey}/${oid}`;
}

/** `keys reseal`'s step for the stored Entra tokens. */
export const upstreamTokenResealer: SecretResealer = {
  name: 'upstreamTokens',
  what: 'stored Entra tokens',
  async reseal(manager, box) {
    const repository = manager.getRepository(UpstreamTokenEntity);
    const rows = await repository.find({ lock: { mode: 'pessimistic_write' } });
    for (const { tenantKey, oid, accessToken, refreshToken } of rows) {
      const boundTo = upstreamTokenBinding(tenantKey, oid);
      const what = `The stored Entra token of ${boundTo}`;
      await repository.update(
        { tenantKey, oid },
        {
          accessToken: resealValue(box, accessToken, boundTo, what),
          refreshToken: refreshToken === null ? null : resealValue(box, refreshToken, boundTo, what),
        },
      );
    }
    return rows.length;
  },
};
