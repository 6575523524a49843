import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/** `config://server` on /mcp: an admin's view of this gateway, counting only the admin's own tenant's servers. */
describe('config://server resource (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  it("counts the admin's own tenant's servers, says nothing secret, and refuses a user", async () => {
    const [mine, other] = [uniqueTenant(), uniqueTenant()];
    await registerAs(gateway, mine, { name: 'one', url: fixture.url });
    await registerAs(gateway, mine, { name: 'two', url: fixture.url });
    await registerAs(gateway, other, { name: 'elsewhere', url: fixture.url });

    const admin = await connectMcpClient(
      gateway,
      await localToken(gateway, { tenant: mine, roles: ['admin'] }),
    );
    const read = await admin.readResource({ uri: 'config://server' });
    const text = (read.contents[0] as { text: string }).text;
    expect(JSON.parse(text)).toMatchObject({
      registeredServers: 2,
      database: { status: 'ok' },
      auth: { mode: 'local' },
    });
    expect(text).not.toMatch(/postgres:\/\/|encryption/i);
    await admin.close();

    const user = await connectMcpClient(
      gateway,
      await localToken(gateway, { tenant: mine, roles: ['user'] }),
    );
    await expect(user.readResource({ uri: 'config://server' })).rejects.toThrow(/Requires role admin/);
    await user.close();
  });
});
