import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.factory.js';

/** Admin connection used to create and drop per-run databases; override for another server. */
export const ADMIN_DATABASE_URL =
  process.env.MREG_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty, uniquely named database on the real PostgreSQL; `drop()` removes it, ending its sessions. */
export async function createTestDatabase(purpose: string): Promise<TestDatabase> {
  const name = `mreg_${purpose}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropTestDatabase(name),
  };
}

export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export interface MigratedTestDatabase extends TestDatabase {
  /** A DataSource on the database, every migration applied. */
  db: DataSource;
  /** Closes the DataSource, then drops the database. */
  close(): Promise<void>;
}

/** A fresh database as the gateway's migrations leave it, for integration specs that work on the schema directly. */
export async function createMigratedTestDatabase(
  purpose: string,
  poolSize = 4,
): Promise<MigratedTestDatabase> {
  const database = await createTestDatabase(purpose);
  const db = createDataSource({ target: { url: database.url }, poolSize });
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
  } catch (error) {
    if (db.isInitialized) await db.destroy();
    await database.drop();
    throw error;
  }
  return {
    ...database,
    db,
    close: async () => {
      await db.destroy().catch(() => undefined);
      await database.drop();
    },
  };
}
