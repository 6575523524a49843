import { json } from '../support/http.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditChainVerifier } from '../../src/audit/audit-chain-verifier.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { connectMcpClient, localToken, startGateway } from '../support/gateway.js';

/** `npm start` with no database configured: the embedded PGlite default, driven like a real user would. */
describe('gateway on the embedded default database', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-e2e-embedded-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('boots, is ready, serves MCP tools, and boots again on the same data directory', async () => {
    for (let boot = 0; boot < 2; boot++) {
      const gateway = await startGateway({ MREG_DATABASE_URL: undefined, MREG_DATA_DIR: dataDir });
      try {
        const ready = await fetch(new URL('/ready', gateway.url));
        expect(ready.status).toBe(200);
        expect((await json(ready)).details.database).toMatchObject({ status: 'up', kind: 'embedded' });
        const mcp = await connectMcpClient(gateway, await localToken(gateway));
        const result = await mcp.callTool({ name: 'gateway_info', arguments: {} });
        expect(result.structuredContent).toMatchObject({ database: { kind: 'embedded' } });
        await mcp.close();
        // The audit trail works on the embedded database too: this boot's call, after every earlier boot's.
        await gateway.app.get(AuditWriter).flush();
        const audited = await gateway.app
          .get(DataSource)
          .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_events WHERE tool = 'gateway_info'`);
        expect(audited[0].n).toBe(boot + 1);
        expect((await gateway.app.get(AuditChainVerifier).verify()).ok).toBe(true);
      } finally {
        await gateway.stop();
      }
    }
  });
});
