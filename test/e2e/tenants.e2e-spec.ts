import type { GatewayApp } from '../../src/app/gateway-app.js';
import {
  ENTRA_CLIENT_ID as CLIENT_ID,
  ENTRA_TID as TID,
  OTHER_TID,
  startEntraGateway,
} from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { call } from '../support/gateway.js';
import { json } from '../support/http.js';

describe('tenants: platform administrators and suspension', () => {
  const THIRD_TID = '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5';
  let entra: FakeEntra;
  let gateway: GatewayApp;

  beforeAll(async () => {
    entra = await FakeEntra.start(CLIENT_ID);
    gateway = await startEntraGateway(entra, {
      MREG_ALLOWED_TENANTS: `${TID},${OTHER_TID},${THIRD_TID}`,
      MREG_SUPERADMIN_TENANTS: TID,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await entra?.stop();
  });

  const tenantKeys = async (tid: string) => {
    const res = await call(gateway, '/api/v1/tenants', await entra.token({ tid, roles: ['Gateway.Admin'] }));
    expect(res.status).toBe(200);
    return ((await json(res)) as { key: string }[]).map((tenant) => tenant.key);
  };

  it('shows an ordinary admin only their own tenant and a platform administrator every tenant', async () => {
    expect(await tenantKeys(OTHER_TID)).toEqual([OTHER_TID]);
    expect(await tenantKeys(TID)).toEqual(expect.arrayContaining([TID, OTHER_TID]));
  });

  it('refuses users of a suspended tenant with 403 TENANT_SUSPENDED', async () => {
    const { DataSource } = await import('typeorm');
    await gateway.app
      .get(DataSource)
      .query(
        `INSERT INTO tenants (entra_tenant_id, name, status) VALUES ($1, 'Suspended Co', 'suspended') ON CONFLICT DO NOTHING`,
        [THIRD_TID],
      );
    const res = await call(gateway, '/oauth/userinfo', await entra.token({ tid: THIRD_TID }));
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: 'TENANT_SUSPENDED' });
  });

  it("lets a platform administrator set a tenant's own request limit, and nobody else", async () => {
    const platform = await entra.token({ tid: TID, roles: ['Gateway.Admin'] });
    const listed = await json(await call(gateway, '/api/v1/tenants', platform));
    const other = (listed as { id: string; key: string }[]).find((tenant) => tenant.key === OTHER_TID)!;
    const patch = (token: string, body: unknown) =>
      call(gateway, `/api/v1/tenants/${other.id}`, token, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const ownAdmin = await patch(await entra.token({ tid: OTHER_TID, roles: ['Gateway.Admin'] }), {
      requestsPerMinute: 1_000_000,
    });
    expect(ownAdmin.status).toBe(403);
    expect((await patch(platform, { requestsPerMinute: 'lots' })).status).toBe(400);
    const set = await patch(platform, { requestsPerMinute: 5 });
    expect(set.status).toBe(200);
    expect(await json(set)).toMatchObject({ key: OTHER_TID, requestsPerMinute: 5 });

    // The tenant's callers together (earlier requests of this file count too) get at most 5 this minute.
    const user = await entra.token({ tid: OTHER_TID, oid: '5a0e0e0e-0000-4000-8000-00000000000a' });
    let refused: Response | undefined;
    for (let i = 0; i < 6 && !refused; i++) {
      const res = await call(gateway, '/oauth/userinfo', user);
      if (res.status === 429) refused = res;
    }
    expect(refused).toBeDefined();
    expect(await json(refused!)).toMatchObject({
      details: { bucket: 'tenant', limit: 5 },
      message: expect.stringContaining('requestsPerMinute'),
    });

    const reset = await patch(platform, { requestsPerMinute: null });
    expect(await json(reset)).toMatchObject({ requestsPerMinute: null });
    expect((await call(gateway, '/oauth/userinfo', user)).status).toBe(200);
  });
});
