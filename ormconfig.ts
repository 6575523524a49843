/**
 * The DataSource for the TypeORM CLI (`npm run migration:generate -- src/database/migrations/Name`), built from the
 * same configuration code the gateway uses: MREG_DATABASE_URL, or the embedded PGlite database under MREG_DATA_DIR
 * (which must not be in use by a running gateway at the same time).
 */
import 'reflect-metadata';
import { loadConfig } from './src/config/load-config.js';
import { createDataSource } from './src/database/data-source.factory.js';
import './src/app/entities.js';
import { EmbeddedPostgres } from './src/database/embedded-postgres.js';

async function cliDataSource() {
  const { config } = loadConfig(process.env);
  const target = config.database.url
    ? { url: config.database.url }
    : (await EmbeddedPostgres.start(config.dataDir, 4)).endpoint;
  return createDataSource({ target, poolSize: 2 });
}

export const dataSource = cliDataSource();
