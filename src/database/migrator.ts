import { setTimeout as sleep } from 'node:timers/promises';
import { MigrationExecutor, type DataSource, type QueryRunner } from 'typeorm';
import { MIGRATIONS_TABLE } from './data-source.factory.js';

/** Arbitrary, fixed advisory-lock key ('MREG') shared by every process that migrates this database. */
export const MIGRATION_LOCK_KEY = 0x4d524547;
const LOCK_POLL_MS = 250;
const LOCK_WAIT_LOG_EVERY_MS = 10_000;

export interface MigrationState {
  name: string;
  applied: boolean;
}

export interface MigrationLockOptions {
  /** Give up waiting for another process's migration after this long. */
  timeoutMs?: number;
  /** Called now and then while another process holds the lock. */
  onWait?: (waitedMs: number) => void;
}

/**
 * Runs `work` on one connection while it holds a PostgreSQL advisory lock, so replicas starting together (or a
 * migration Job racing a pod) apply migrations one after the other and the second finds nothing left to do. The work
 * runs on the locking connection itself, so a pool of one connection is enough. Waiting is bounded and reported.
 */
export async function withMigrationLock<T>(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
  options: MigrationLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const started = Date.now();
    let lastReport = started;
    for (;;) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as [{ locked: boolean }];
      if (locked) break;
      const waited = Date.now() - started;
      if (waited > timeoutMs) {
        throw new Error(
          `Gave up after ${Math.round(waited / 1000)} s waiting for another process's migration lock`,
        );
      }
      if (Date.now() - lastReport >= LOCK_WAIT_LOG_EVERY_MS) {
        lastReport = Date.now();
        options.onWait?.(waited);
      }
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await work(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

function executorOn(dataSource: DataSource, runner: QueryRunner): MigrationExecutor {
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = 'each';
  return executor;
}

/** Applies pending migrations, each in its own transaction; returns the names applied by this call. */
export async function runPendingMigrations(
  dataSource: DataSource,
  options?: MigrationLockOptions,
): Promise<string[]> {
  return withMigrationLock(
    dataSource,
    async (runner) => (await executorOn(dataSource, runner).executePendingMigrations()).map((m) => m.name),
    options,
  );
}

export async function revertLastMigration(dataSource: DataSource): Promise<string | undefined> {
  return withMigrationLock(dataSource, async (runner) => {
    const before = await appliedMigrationNames(runner);
    if (before.size === 0) return undefined;
    await executorOn(dataSource, runner).undoLastMigration();
    const after = await appliedMigrationNames(runner);
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

type Queryable = { query(sql: string, parameters?: unknown[]): Promise<unknown> };

async function appliedMigrationNames(queryable: Queryable): Promise<Set<string>> {
  const [{ exists }] = (await queryable.query(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [
    `public.${MIGRATIONS_TABLE}`,
  ])) as [{ exists: boolean }];
  if (!exists) return new Set();
  const rows = (await queryable.query(`SELECT "name" FROM "${MIGRATIONS_TABLE}"`)) as { name: string }[];
  return new Set(rows.map((row) => row.name));
}
