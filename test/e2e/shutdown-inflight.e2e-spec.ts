import { Client as PgClient } from 'pg';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { processAdmin, startGatewayProcess } from '../support/gateway-process.js';
import { postJsonRpc } from '../support/registry.js';
import { runDatabaseUrl } from '../support/test-config.js';

/** SIGTERM on a busy process: the long tool call in flight completes, its audit record is stored, the exit is 0. */
describe('shutdown with a call in flight (e2e)', () => {
  jest.setTimeout(60_000);

  it('finishes the in-flight proxied call, flushes its audit event, and exits 0', async () => {
    const fixture = new FixtureMcpServer();
    fixture.slowTool = true;
    await fixture.start();
    const env = {
      MREG_DATABASE_URL: runDatabaseUrl(),
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
    };
    const gateway = await startGatewayProcess(env);
    try {
      const { issue, register } = await processAdmin(env, gateway.url);
      const id = await register({ name: 'slowpoke', url: fixture.url });
      const resource = `${gateway.url}/servers/${id}/mcp`;

      const call = postJsonRpc(resource, await issue(resource), 'tools/call', {
        name: 'slow',
        arguments: { ms: 1500 },
      });
      while (!fixture.invocations.get('slow')) await new Promise((resolve) => setTimeout(resolve, 10));
      gateway.child.kill('SIGTERM');

      const response = await call;
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('slept 1500');
      expect(await gateway.exited).toBe(0);

      const pg = new PgClient({ connectionString: runDatabaseUrl() });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          `SELECT outcome, status FROM audit_events WHERE server_id = $1 AND tool = 'slow'`,
          [id],
        );
        expect(rows).toEqual([{ outcome: 'success', status: 200 }]);
      } finally {
        await pg.end();
      }
    } finally {
      gateway.child.kill('SIGKILL');
      await fixture.stop();
    }
  });
});
