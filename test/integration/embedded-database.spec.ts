import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { Database } from '../../src/database/database.js';
import { TenantEntity } from '../../src/tenancy/tenant.entity.js';

/** The embedded default must never silently break: the same migrations and entities against PGlite. */
describe('embedded PGlite database', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-pglite-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = () => Database.open(loadConfig({ MREG_DATA_DIR: dataDir }, { dotenvDir: false }).config);

  it('applies the migrations, keeps data across a restart and has nothing pending afterwards', async () => {
    const first = await open();
    try {
      expect(first.kind).toBe('embedded');
      expect(first.appliedAtOpen.length).toBeGreaterThan(0);
      await first.dataSource
        .getRepository(TenantEntity)
        .insert({ entraTenantId: 'local:acme', name: 'Acme' });
    } finally {
      await first.close();
    }

    const second = await open();
    try {
      expect(second.appliedAtOpen).toEqual([]);
      expect(await second.pendingMigrations()).toEqual([]);
      const tenant = await second.dataSource
        .getRepository(TenantEntity)
        .findOneByOrFail({ entraTenantId: 'local:acme' });
      expect(tenant).toMatchObject({ name: 'Acme', status: 'active', settings: {} });
      expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
      await second.ping();
    } finally {
      await second.close();
    }
  });

  it('enforces the schema constraints of the migrations (unique Entra tenant id)', async () => {
    const database = await open();
    try {
      const tenants = database.dataSource.getRepository(TenantEntity);
      await tenants.insert({ entraTenantId: 'local:dup', name: 'One' });
      await expect(tenants.insert({ entraTenantId: 'local:dup', name: 'Two' })).rejects.toThrow(
        /duplicate key/,
      );
    } finally {
      await database.close();
    }
  });
});
