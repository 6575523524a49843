import type { CommandRunner } from 'nest-commander';
import { RegisterServerCommand } from '../../src/cli/register-server.command.js';
import { ServersListCommand, ServersRemoveCommand } from '../../src/cli/servers.command.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';

import { startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { scratchDataDir } from '../support/test-config.js';

type Runnable = CommandRunner & { output: { out(line: string): void; err(line: string): void } };

/** The registry CLI drives a running gateway (here on the embedded database, which that gateway holds locked). */
describe('mcp-gateway register-server / servers (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway({
      MREG_DATABASE_URL: undefined,
      // The embedded default without a configured key: upstream secrets use the data directory's key file.
      MREG_ENCRYPTION_KEY: undefined,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  async function run(command: Runnable, params: string[], options: Record<string, unknown> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    command.output = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const saved = { ...process.env };
    const savedExitCode = process.exitCode;
    process.exitCode = undefined;
    Object.assign(process.env, {
      MREG_LOG_LEVEL: 'silent',
      MREG_DATA_DIR: scratchDataDir(),
      MREG_PORT: '8000',
    });
    delete process.env.MREG_DATABASE_URL;
    try {
      await command.run(params, { url: gateway.url, ...options });
      return { out: out.join('\n'), err: err.join('\n'), exitCode: process.exitCode ?? 0 };
    } finally {
      process.env = saved;
      process.exitCode = savedExitCode;
    }
  }

  it('registers, lists and removes a server in a tenant, refusing bad input with the API error', async () => {
    const tenant = uniqueTenant('cli');
    const registered = await run(new RegisterServerCommand(), ['fixture', fixture.url], {
      tenant,
      tags: 'a,b',
    });
    expect(registered).toMatchObject({
      exitCode: 0,
      out: expect.stringMatching(/^Registered fixture .*(healthy|degraded), 2 tools/),
    });
    // It says where MCP clients connect and how to get a token for exactly that endpoint.
    expect(registered.out).toMatch(
      new RegExp(
        `MCP endpoint: http://\\S+/servers/[0-9a-f-]{36}/mcp\n.*token --tenant ${tenant} --resource http`,
      ),
    );

    const listed = await run(new ServersListCommand(), [], { tenant, json: true });
    const servers = JSON.parse(listed.out);
    expect(servers).toEqual([expect.objectContaining({ name: 'fixture', tags: ['a', 'b'] })]);
    expect((await run(new ServersListCommand(), [], { tenant: uniqueTenant() })).out).toBe(
      'No servers registered',
    );

    const duplicate = await run(new RegisterServerCommand(), ['fixture', fixture.url], { tenant });
    expect(duplicate).toMatchObject({ exitCode: 1, err: expect.stringContaining('SERVER_NAME_TAKEN') });
    const invalid = await run(new RegisterServerCommand(), ['Bad Name', fixture.url], { tenant });
    expect(invalid).toMatchObject({ exitCode: 1, err: expect.stringContaining('VALIDATION_FAILED') });

    expect(await run(new ServersRemoveCommand(), ['fixture'], { tenant })).toMatchObject({ exitCode: 0 });
    expect((await run(new ServersListCommand(), [], { tenant })).out).toBe('No servers registered');
  });

  it('says clearly when no gateway answers', async () => {
    const result = await run(new ServersListCommand(), [], { url: 'http://127.0.0.1:9' });
    expect(result).toMatchObject({ exitCode: 1, err: expect.stringContaining('No gateway answered') });
  });
});
