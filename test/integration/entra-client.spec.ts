import { decodeJwt } from 'jose';
import { EntraClient } from '../../src/auth/oauth/entra-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { FakeEntra } from '../support/fake-entra.js';

const TID = '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c';
const CLIENT_ID = '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716';

/** The gateway's confidential-client calls to Entra, against the local Entra stand-in. */
describe('EntraClient on-behalf-of', () => {
  let entra: FakeEntra;
  let sut: EntraClient;

  beforeAll(async () => {
    entra = await FakeEntra.start(CLIENT_ID);
    const { config } = loadConfig(
      {
        MREG_AZURE_TENANT_ID: TID,
        MREG_AZURE_CLIENT_ID: CLIENT_ID,
        MREG_AZURE_CLIENT_SECRET: entra.clientSecret,
        MREG_ENTRA_AUTHORITY_HOST: entra.url,
      },
      { dotenvDir: false },
    );
    sut = new EntraClient(config.auth);
  });

  afterAll(async () => {
    await entra.stop();
  });

  it("exchanges the user's token for one to a downstream API, keeping the user and never reusing the token", async () => {
    const userToken = await entra.token({ tid: TID, oid: 'user-oid-1', name: 'Gia' });
    const obo = await sut.onBehalfOf(userToken, 'api://inventory/.default');
    expect(obo.accessToken).not.toBe(userToken);
    expect(decodeJwt(obo.accessToken)).toMatchObject({ aud: 'api://inventory', tid: TID, oid: 'user-oid-1' });
    const sent = entra.received.at(-1)?.params;
    expect(sent).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      scope: 'api://inventory/.default',
      client_id: CLIENT_ID,
    });
    expect(sent?.resource).toBeUndefined();
  });

  it('reports a refused exchange without leaking the assertion', async () => {
    // Signed by another Entra's keys: not a token Entra issued for this app.
    const impostor = await FakeEntra.start(CLIENT_ID);
    const forged = await impostor.token({ tid: TID });
    await impostor.stop();
    const error = await sut.onBehalfOf(forged, 'api://inventory/.default').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'Entra refused the urn:ietf:params:oauth:grant-type:jwt-bearer grant (invalid_grant)',
    );
  });
});
