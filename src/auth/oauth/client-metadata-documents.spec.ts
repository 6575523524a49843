import { ClientMetadataDocuments, type FetchDocument } from './client-metadata-documents.js';

const URL_ID = 'https://app.example.com/oauth/client.json';
const document = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    client_id: URL_ID,
    client_name: 'Example App',
    redirect_uris: ['http://127.0.0.1:7777/cb'],
    ...overrides,
  });

function sutServing(body: string, status = 200, contentType = 'application/json') {
  const calls: string[] = [];
  const fetchDocument: FetchDocument = (url) => {
    calls.push(url);
    return Promise.resolve({ status, contentType, body });
  };
  return { sut: new ClientMetadataDocuments(fetchDocument), calls };
}

describe('ClientMetadataDocuments', () => {
  it('turns a valid document into a public client and caches it', async () => {
    const { sut, calls } = sutServing(document());
    const client = await sut.resolve(URL_ID);
    expect(client).toMatchObject({
      clientId: URL_ID,
      clientName: 'Example App',
      redirectUris: ['http://127.0.0.1:7777/cb'],
      tokenEndpointAuthMethod: 'none',
      clientSecretHash: null,
      registrationKind: 'cimd',
    });
    await sut.resolve(URL_ID);
    expect(calls).toHaveLength(1);
  });

  it.each<[string, string, number, string]>([
    ['names another client', document({ client_id: 'https://evil.example/x.json' }), 200, 'application/json'],
    [
      'has a javascript: redirect',
      document({ redirect_uris: ['javascript:alert(1)'] }),
      200,
      'application/json',
    ],
    [
      'claims a confidential client',
      document({ token_endpoint_auth_method: 'client_secret_basic' }),
      200,
      'application/json',
    ],
    ['is not JSON', 'hello', 200, 'text/html'],
    ['is missing', '', 404, 'application/json'],
  ])('refuses a document that %s', async (_why, body, status, contentType) => {
    const { sut } = sutServing(body, status, contentType);
    await expect(sut.resolve(URL_ID)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it.each([
    'http://app.example.com/client.json',
    'https://app.example.com/',
    'https://u:p@app.example.com/c.json',
  ])('refuses the client id URL %s without fetching it', async (clientId) => {
    const { sut, calls } = sutServing(document({ client_id: clientId }));
    await expect(sut.resolve(clientId)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(calls).toEqual([]);
  });

  it('does not connect to private addresses over the network, and says nothing about why the fetch failed', async () => {
    const sut = ClientMetadataDocuments.withNetwork(false);
    await expect(sut.resolve('https://localhost/client.json')).rejects.toMatchObject({
      code: 'invalid_client',
      message: 'client metadata document could not be fetched',
    });
  });

  it.each([
    'https://127.0.0.1/c.json',
    'https://10.0.0.5/c.json',
    'https://[::1]/c.json',
    'https://[::ffff:7f00:1]/c.json',
    'https://2130706433/c.json',
    'https://169.254.169.254/latest/meta-data',
    'https://app.example.com:8443/c.json',
  ])('refuses %s before any connection is made', async (clientId) => {
    const { sut, calls } = sutServing(document({ client_id: clientId }));
    await expect(sut.resolve(clientId)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(calls).toEqual([]);
  });

  it('remembers a failed document for a while instead of fetching it again', async () => {
    const { sut, calls } = sutServing('', 500, 'application/json');
    await expect(sut.resolve(URL_ID)).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(sut.resolve(URL_ID)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(calls).toHaveLength(1);
  });
});
