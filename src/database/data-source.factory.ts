import { DataSource, type DataSourceOptions } from 'typeorm';
import { registeredEntities } from './entity-catalog.js';
import type { PostgresEndpoint } from './embedded-postgres.js';
import { MIGRATIONS } from './migrations/index.js';

export const MIGRATIONS_TABLE = 'schema_migrations';

export type ConnectionTarget = { url: string } | PostgresEndpoint;

export interface DataSourceSettings {
  target: ConnectionTarget;
  poolSize: number;
}

/** The one place TypeORM options are built, for the app, the CLI, the TypeORM CLI (ormconfig.ts) and tests. */
export function createDataSource({ target, poolSize }: DataSourceSettings): DataSource {
  const connection =
    'url' in target
      ? { url: target.url }
      : { host: target.host, port: target.port, username: target.user, database: target.database };
  const options: DataSourceOptions = {
    type: 'postgres',
    ...connection,
    entities: registeredEntities(),
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    // The schema comes from reviewed migrations only, everywhere, tests included.
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // gen_random_uuid() is built into PostgreSQL 13+ (and PGlite); no extension is installed or needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize,
    extra: {
      application_name: 'mcp-gateway',
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  };
  return new DataSource(options);
}
