import type { GatewayApp } from '../../src/gateway-app.js';
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
});
