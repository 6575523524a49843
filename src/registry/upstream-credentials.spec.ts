import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load-config.js';
import { UpstreamFetch } from './discovery/upstream-fetch.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { UpstreamSecrets } from './upstream-secrets.js';

/** A token endpoint on 127.0.0.1 that issues a token naming the client secret it was given. */
async function tokenEndpoint(): Promise<{ url: string; issued: string[]; close: () => Promise<void> }> {
  const issued: string[] = [];
  const server: Server = createServer((req, res) => {
    const [, secret] = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64')
      .toString()
      .split(':');
    const token = `token-for-${decodeURIComponent(secret)}-${issued.length}`;
    issued.push(token);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ access_token: token, expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    issued,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('UpstreamCredentials: client credentials', () => {
  const config = loadConfig(
    { MREG_ENCRYPTION_KEY: '6d7265672d746573742d6b65792d6e6f742d666f722d70726f64756374696f6e' },
    { dotenvDir: false },
  ).config;
  const credentials = new UpstreamCredentials(new UpstreamSecrets(config));
  const upstream = new UpstreamFetch(true);
  afterAll(() => upstream.close());

  it('reuses a token until it expires, and never one obtained with credentials since replaced', async () => {
    const endpoint = await tokenEndpoint();
    try {
      const stored = credentials.toStored(
        { type: 'client_credentials', tokenUrl: endpoint.url, clientId: 'gw', clientSecret: 'REAL' },
        'server-1',
      );
      const first = await credentials.serviceHeaders(stored, 'server-1', upstream);
      expect(first).toEqual({ Authorization: 'Bearer token-for-REAL-0' });
      expect(await credentials.serviceHeaders(stored, 'server-1', upstream)).toEqual(first);

      // Someone who does not know the secret replaces it (same token URL and client, as an update may do while
      // pointing the server elsewhere): the token the real secret bought must not be sent any more.
      const replaced = credentials.toStored(
        { type: 'client_credentials', tokenUrl: endpoint.url, clientId: 'gw', clientSecret: 'junk' },
        'server-1',
        stored,
      );
      expect(await credentials.serviceHeaders(replaced, 'server-1', upstream)).toEqual({
        Authorization: 'Bearer token-for-junk-1',
      });
      expect(endpoint.issued).toHaveLength(2);
    } finally {
      await endpoint.close();
    }
  });
});
