import type { DataSource } from 'typeorm';
import { createDataSource, MIGRATIONS_TABLE } from '../../src/database/data-source.factory.js';
import {
  migrationStatus,
  pendingMigrationNames,
  revertLastMigration,
  runPendingMigrations,
  schemaDrift,
} from '../../src/database/migrator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('migrations on the real PostgreSQL', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  async function connect(): Promise<DataSource> {
    const dataSource = createDataSource({ target: { url: database.url }, poolSize: 3 });
    await dataSource.initialize();
    sources.push(dataSource);
    return dataSource;
  }

  beforeEach(async () => {
    database = await createTestDatabase('migrate');
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.destroy()));
    await database.drop();
  });

  it('applies every migration on a fresh database and leaves no drift between entities and schema', async () => {
    const dataSource = await connect();
    expect(await pendingMigrationNames(dataSource)).toEqual(dataSource.migrations.map((m) => m.name));
    const applied = await runPendingMigrations(dataSource);
    expect(applied).toEqual(dataSource.migrations.map((m) => m.name));
    expect(await pendingMigrationNames(dataSource)).toEqual([]);
    expect(await schemaDrift(dataSource)).toEqual([]);
  });

  it('is idempotent: a second run applies nothing', async () => {
    const dataSource = await connect();
    await runPendingMigrations(dataSource);
    expect(await runPendingMigrations(dataSource)).toEqual([]);
  });

  it('serialises concurrent runs from separate processes: both succeed and each migration is applied once', async () => {
    const [first, second] = await Promise.all([connect(), connect()]);
    const results = await Promise.all([runPendingMigrations(first), runPendingMigrations(second)]);
    const all = first.migrations.map((m) => m.name);
    // Exactly one runner applied the migrations; the other waited on the advisory lock and found nothing to do.
    expect(results.map((r) => r.length).sort()).toEqual([0, all.length]);
    const rows = await first.query<{ name: string; count: string }[]>(
      `SELECT name, count(*) AS count FROM "${MIGRATIONS_TABLE}" GROUP BY name ORDER BY min(id)`,
    );
    expect(rows.map((row) => [row.name, Number(row.count)])).toEqual(all.map((name) => [name, 1]));
  });

  it('reverts the last migration and re-applies it', async () => {
    const dataSource = await connect();
    await runPendingMigrations(dataSource);
    const last = dataSource.migrations.at(-1)?.name;
    expect(await revertLastMigration(dataSource)).toBe(last);
    expect((await migrationStatus(dataSource)).find((m) => m.name === last)?.applied).toBe(false);
    expect(await runPendingMigrations(dataSource)).toEqual([last]);
  });

  it('reports a change the migrations do not cover as drift', async () => {
    const dataSource = await connect();
    await runPendingMigrations(dataSource);
    await dataSource.query('ALTER TABLE "tenants" DROP COLUMN "settings"');
    expect((await schemaDrift(dataSource)).join('\n')).toMatch(/ADD "settings" jsonb/);
  });
});

describe('migrations with a single-connection pool', () => {
  it('apply, report and revert on the connection that holds the lock', async () => {
    const database = await createTestDatabase('pool1');
    const dataSource = createDataSource({ target: { url: database.url }, poolSize: 1 });
    await dataSource.initialize();
    try {
      expect(await runPendingMigrations(dataSource)).toHaveLength(dataSource.migrations.length);
      expect(await pendingMigrationNames(dataSource)).toEqual([]);
      expect(await revertLastMigration(dataSource)).toBe(dataSource.migrations.at(-1)?.name);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
