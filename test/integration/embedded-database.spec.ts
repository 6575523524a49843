import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { Database } from '../../src/database/database.js';
import { PGLITE_SETTINGS } from '../../src/database/pglite-settings.js';
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

  it('refuses a second opener of the same data directory while the first runs, and frees it on close', async () => {
    const first = await open();
    try {
      await expect(open()).rejects.toThrow(/data directory .* is in use by process \d+/);
      await first.ping();
    } finally {
      await first.close();
    }
    const again = await open();
    await again.close();
  });

  it('keeps the data directory private (mode 0700) even when it existed with wider permissions', async () => {
    chmodSync(dataDir, 0o755);
    const database = await open();
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await database.close();
    }
  });

  it('serves a deep data directory over a private socket instead of TCP', async () => {
    const deep = join(dataDir, 'a'.repeat(60), 'b'.repeat(40));
    const database = await Database.open(loadConfig({ MREG_DATA_DIR: deep }, { dotenvDir: false }).config);
    try {
      await database.ping();
      const options = database.dataSource.options as { host?: string };
      expect(options.host).toMatch(/mreg-pg-/);
    } finally {
      await database.close();
    }
  });

  it('runs PGlite with the embedded settings (small buffer pool)', async () => {
    const database = await open();
    try {
      for (const [name, value] of Object.entries(PGLITE_SETTINGS)) {
        const [row] = await database.dataSource.query<Record<string, string>[]>(`SHOW ${name}`);
        expect(row[name]).toBe(value);
      }
    } finally {
      await database.close();
    }
  });

  it('creates a new database in a scratch directory, renames it into place and removes what a killed start left', async () => {
    const stale = join(dataDir, 'pgdata.initdb-killed');
    mkdirSync(stale);
    writeFileSync(join(stale, 'PG_VERSION'), '18\n');
    const database = await open();
    await database.close();
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith('pgdata.initdb-'))).toEqual([]);
  });

  it('refuses a pgdata directory that holds no database instead of writing over it', async () => {
    mkdirSync(join(dataDir, 'pgdata'));
    writeFileSync(join(dataDir, 'pgdata', 'notes.txt'), 'not a database');
    await expect(open()).rejects.toThrow(/holds no PostgreSQL data directory/);
    expect(readdirSync(join(dataDir, 'pgdata'))).toEqual(['notes.txt']);
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith('pgdata.initdb-'))).toEqual([]);
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
