import { json } from '../support/http.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { startGateway } from '../support/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('readiness follows the database', () => {
  let database: TestDatabase;
  let gateway: GatewayApp;

  beforeAll(async () => {
    database = await createTestDatabase('ready');
    gateway = await startGateway({ MREG_DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
  });

  const ready = () => fetch(new URL('/ready', gateway.url));

  it('migrated its own fresh database at boot and is ready', async () => {
    const res = await ready();
    expect(res.status).toBe(200);
  });

  it('turns 503 and names the failing check when the database becomes unreachable, while liveness stays 200', async () => {
    await database.drop();
    const res = await ready();
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('error');
    expect(body.error.database).toMatchObject({
      status: 'down',
      kind: 'postgres',
      message: expect.any(String),
    });
    expect((await fetch(new URL('/health', gateway.url))).status).toBe(200);
  });
});

describe('readiness while draining', () => {
  it('answers 503 during the shutdown delay, while the listener still serves', async () => {
    const gateway = await startGateway({ MREG_SHUTDOWN_DELAY_MS: '1500' });
    const stopping = gateway.stop('test');
    try {
      const res = await fetch(new URL('/ready', gateway.url));
      expect(res.status).toBe(503);
      expect((await json(res)).error.lifecycle).toEqual({ status: 'down', message: 'shutting down' });
      expect((await fetch(new URL('/health', gateway.url))).status).toBe(200);
    } finally {
      await stopping;
    }
  });

  it('stops promptly when only idle keep-alive connections are open', async () => {
    const gateway = await startGateway({ MREG_SHUTDOWN_TIMEOUT_MS: '20000' });
    await fetch(new URL('/health', gateway.url), { keepalive: true });
    const started = Date.now();
    await gateway.stop();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
