import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from './data-source.factory.js';

/** Arbitrary, fixed advisory-lock key ('MREG') shared by every process that migrates this database. */
export const MIGRATION_LOCK_KEY = 0x4d524547;

export interface MigrationState {
  name: string;
  applied: boolean;
}

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock, so replicas starting together (or a
 * migration Job racing a pod) apply migrations one after the other; the second finds nothing left to do.
 */
export async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** Applies pending migrations, each in its own transaction; returns the names applied by this call. */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  });
}

export async function revertLastMigration(dataSource: DataSource): Promise<string | undefined> {
  return withMigrationLock(dataSource, async () => {
    const before = await appliedMigrationNames(dataSource);
    if (before.size === 0) return undefined;
    await dataSource.undoLastMigration({ transaction: 'each' });
    const after = await appliedMigrationNames(dataSource);
    return [...before].find((name) => !after.has(name));
  });
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationState[]> {
  const applied = await appliedMigrationNames(dataSource);
  return dataSource.migrations.map((migration) => {
    const name = migration.name ?? migration.constructor.name;
    return { name, applied: applied.has(name) };
  });
}

export async function pendingMigrationNames(dataSource: DataSource): Promise<string[]> {
  return (await migrationStatus(dataSource)).filter((m) => !m.applied).map((m) => m.name);
}

/**
 * SQL that would bring the database in line with the entities. Empty when migrations and entities agree;
 * anything else means an entity changed without a migration (CI fails on it).
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

async function appliedMigrationNames(dataSource: DataSource): Promise<Set<string>> {
  const [{ exists }] = await dataSource.query<[{ exists: boolean }]>(
    `SELECT to_regclass($1) IS NOT NULL AS "exists"`,
    [`public.${MIGRATIONS_TABLE}`],
  );
  if (!exists) return new Set();
  const rows = await dataSource.query<{ name: string }[]>(`SELECT "name" FROM "${MIGRATIONS_TABLE}"`);
  return new Set(rows.map((row) => row.name));
}
