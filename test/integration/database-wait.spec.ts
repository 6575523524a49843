import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Database } from '../../src/database/database.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Startup before PostgreSQL is up: the gateway waits for it (MREG_DATABASE_WAIT_MS), as compose start order needs. */
describe('waiting for PostgreSQL at startup', () => {
  let database: TestDatabase;
  let relay: TcpRelay | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('dbwait');
  });
  afterAll(async () => {
    await relay?.stop();
    await database?.drop();
  });

  function configFor(port: number, waitMs: number) {
    const url = new URL(database.url);
    url.host = `127.0.0.1:${port}`;
    return testConfig({ MREG_DATABASE_URL: url.toString(), MREG_DATABASE_WAIT_MS: String(waitMs) }).config;
  }

  it('connects once PostgreSQL starts accepting connections, telling why it waits', async () => {
    const port = await freePort();
    const waits: string[] = [];
    const opening = Database.open(configFor(port, 20_000), { onConnectWait: (reason) => waits.push(reason) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    relay = new TcpRelay(new URL(database.url).hostname, Number(new URL(database.url).port));
    relay.port = port;
    await relay.start();
    const opened = await opening;
    try {
      await opened.ping();
      expect(waits.length).toBeGreaterThan(0);
      expect(waits[0]).toBe('ECONNREFUSED');
    } finally {
      await opened.close();
    }
  });

  it('fails at once when told not to wait, or for a reason waiting cannot fix', async () => {
    const waits: string[] = [];
    const onConnectWait = (reason: string) => waits.push(reason);
    await expect(Database.open(configFor(await freePort(), 0), { onConnectWait })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    const url = new URL(database.url);
    url.pathname = '/no_such_database_here';
    const missing = testConfig({ MREG_DATABASE_URL: url.toString(), MREG_DATABASE_WAIT_MS: '20000' }).config;
    await expect(Database.open(missing, { onConnectWait })).rejects.toThrow(/does not exist/);
    // Not one retry: a missing database, like wrong credentials, needs a fix, not patience.
    expect(waits).toEqual([]);
  });
});
