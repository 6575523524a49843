import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

const PUBLIC_URL = 'http://gateway.test';

/** No session table: two gateway processes serve one proxied MCP session, request by request alternately. */
describe('proxy sessions across replicas (e2e)', () => {
  let replicas: GatewayApp[];
  let everything: EverythingServer;

  beforeAll(async () => {
    everything = await new EverythingServer().start();
    const overrides = { MREG_PUBLIC_URL: PUBLIC_URL };
    replicas = await Promise.all([startRegistryGateway(overrides), startRegistryGateway(overrides)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await everything?.stop();
  });

  it('serves one session with every request on the other replica', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(replicas[0], { tenant, roles: ['admin'], resource: PUBLIC_URL });
    const created = await rest(replicas[0], admin, 'POST', '/api/v1/servers', {
      name: 'everything',
      url: everything.url,
    });
    const id = created.body.server.id as string;
    const resource = `${PUBLIC_URL}/servers/${id}/mcp`;
    const token = await localToken(replicas[0], { tenant, roles: ['user'], resource });

    // A balancer in the client: each request goes to the next replica.
    const hits: number[] = [];
    let next = 0;
    const balanced: typeof fetch = (input, init) => {
      const index = next++ % replicas.length;
      hits.push(index);
      const url = new URL(input instanceof Request ? input.url : input.toString());
      const target = new URL(`${url.pathname}${url.search}`, replicas[index].url);
      return fetch(target, init);
    };
    const client = new Client({ name: 'replicas', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(resource), {
        authProvider: { token: () => Promise.resolve(token) },
        fetch: balanced,
      }),
    );
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      for (const message of ['one', 'two', 'three']) {
        const result = await client.callTool({ name: 'echo', arguments: { message } });
        expect(result.content).toEqual([{ type: 'text', text: `Echo: ${message}` }]);
      }
      expect(new Set(hits)).toEqual(new Set([0, 1]));
    } finally {
      await client.close();
    }
  });
});
