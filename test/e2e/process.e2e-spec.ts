import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDatabaseUrl } from '../support/test-config.js';
import { collect, runCli, startGatewayProcess } from '../support/gateway-process.js';

/** The built CLI as a real process: what `npm start`, containers and Kubernetes run. */
describe('mcp-gateway process', () => {
  // Each case starts real Node processes (and PGlite's first init); give them room on a loaded 2-core machine.
  jest.setTimeout(120_000);

  it('serves, then on SIGTERM drains, closes and exits 0', async () => {
    const gateway = await startGatewayProcess({ MREG_DATABASE_URL: runDatabaseUrl() });
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect(gateway.output()).toMatch(/"database":\{"kind":"postgres"/);
    expect(gateway.output()).toMatch(/"auth":\{"mode":"local"\}/);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toMatch(
      /"msg":"Shutting down".*"reason":"received SIGTERM"|"reason":"received SIGTERM".*"msg":"Shutting down"/,
    );
    expect(gateway.output()).toMatch(/"msg":"Stopped"/);
    expect(gateway.output()).not.toMatch(/Open handles kept the process alive/);
  });

  it('on the embedded database: serves, then stops cleanly on SIGTERM and releases the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mreg-proc-'));
    try {
      const gateway = await startGatewayProcess({ MREG_DATABASE_URL: undefined, MREG_DATA_DIR: dataDir });
      expect(gateway.output()).toMatch(/"database":\{"kind":"embedded"/);
      // While it runs, the CLI cannot open the same embedded database.
      const blocked = collect(runCli(['migrate', 'status'], { MREG_DATA_DIR: dataDir }));
      expect(await blocked.exited).toBe(1);
      expect(blocked.output()).toMatch(/in use by process/);
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).not.toMatch(/Open handles kept the process alive/);
      const status = collect(runCli(['migrate', 'status'], { MREG_DATA_DIR: dataDir }));
      expect(await status.exited).toBe(0);
      expect(status.output()).toMatch(/\[x\] CreateTenants/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('local mode in two commands: `serve`, then `token` gives a bearer token the running gateway accepts', async () => {
    const gateway = await startGatewayProcess({ MREG_DATABASE_URL: runDatabaseUrl() });
    try {
      const port = new URL(gateway.url).port;
      const minted = collect(
        runCli(['token', '--tenant', 'acme', '--user', 'alice', '--roles', 'admin'], { MREG_PORT: port }),
      );
      expect(await minted.exited).toBe(0);
      const token = minted.output().trim();
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      // Minted for http://localhost:<port>; loopback names are one host, so 127.0.0.1 accepts it too.
      const res = await fetch(`${gateway.url}/oauth/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        tenantKey: 'local:acme',
        name: 'alice',
        roles: ['admin', 'server_owner', 'user'],
      });
      expect((await fetch(`${gateway.url}/oauth/userinfo`)).status).toBe(401);
      // A CLI whose own MREG_PORT differs from the gateway's names the gateway instead.
      const byUrl = collect(runCli(['token', '--url', gateway.url], { MREG_PORT: '1' }));
      expect(await byUrl.exited).toBe(0);
      const viaUrl = await fetch(`${gateway.url}/oauth/userinfo`, {
        headers: { authorization: `Bearer ${byUrl.output().trim()}` },
      });
      expect(viaUrl.status).toBe(200);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('token refuses bad input and Entra mode with clear messages', async () => {
    const bad = collect(runCli(['token', '--roles', 'root', '--ttl', 'forever'], {}));
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/--roles must be admin, server_owner and\/or user/);
    expect(bad.output()).toMatch(/--ttl must be a duration/);
    const entra = collect(
      runCli(['token'], {
        MREG_AZURE_TENANT_ID: '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c',
        MREG_AZURE_CLIENT_ID: '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716',
      }),
    );
    expect(await entra.exited).toBe(1);
    expect(entra.output()).toMatch(/only be minted in local identity mode/);
  });

  it('says which setting to change when its port is taken, without a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      const { output, exited } = collect(
        runCli(['serve'], { MREG_PORT: port, MREG_HOST: '127.0.0.1', MREG_DATABASE_URL: runDatabaseUrl() }),
      );
      expect(await exited).toBe(1);
      expect(output()).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*MREG_PORT`));
      expect(output()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses to start on invalid configuration, listing every problem, with exit code 1', async () => {
    const { output, exited } = collect(runCli(['serve'], { MREG_PORT: 'abc', MREG_DB_POOL_SIZE: '-1' }));
    expect(await exited).toBe(1);
    expect(output()).toMatch(/Invalid configuration \(2 problems\)/);
    expect(output()).toMatch(/MREG_PORT: must be an integer from 0 to 65535 \(got "abc"\)/);
    expect(output()).toMatch(/MREG_DB_POOL_SIZE/);
    expect(output()).not.toMatch(/\n\s+at /);
  });

  it('waits for an unreachable database as long as told, saying so, then exits 1 with a clear message', async () => {
    const { output, exited } = collect(
      runCli(['serve', '--port', '0'], {
        MREG_DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/none',
        MREG_DATABASE_WAIT_MS: '1500',
        MREG_LOG_LEVEL: 'info',
      }),
    );
    expect(await exited).toBe(1);
    expect(output()).toMatch(
      /PostgreSQL is not accepting connections yet \(ECONNREFUSED\); retrying .*MREG_DATABASE_WAIT_MS/,
    );
    expect(output()).toMatch(
      /Gateway failed to start: Cannot open the postgres database at postgres:\/\/app:\*\*\*\*@127\.0\.0\.1:1/,
    );
  });

  it('lists its commands in --help', async () => {
    const { output, exited } = collect(runCli(['--help'], {}));
    expect(await exited).toBe(0);
    for (const command of ['serve', 'validate', 'config', 'migrate', 'healthcheck']) {
      expect(output()).toContain(command);
    }
  });

  it('healthcheck exits 0 against a running gateway and 1 when nothing listens', async () => {
    const gateway = await startGatewayProcess({ MREG_DATABASE_URL: runDatabaseUrl() });
    try {
      const port = new URL(gateway.url).port;
      expect(await collect(runCli(['healthcheck'], { MREG_PORT: port })).exited).toBe(0);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    expect(await collect(runCli(['healthcheck'], { MREG_PORT: '1' })).exited).toBe(1);
  });
});
