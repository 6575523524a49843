import './resolve-ts-extensions.cjs';
import { loadConfig } from '../../src/config/load-config.js';
import { Database } from '../../src/database/database.js';
import { createTestDatabase } from './test-database.js';

/**
 * Creates this run's database on the real PostgreSQL and applies the migrations once. Test files that need a
 * database read its URL from MREG_TEST_RUN_DATABASE_URL (inherited by the Jest workers).
 */
export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase('run');
  const { config } = loadConfig(
    { MREG_DATABASE_URL: database.url, MREG_LOG_LEVEL: 'silent' },
    { dotenvDir: false },
  );
  const opened = await Database.open(config, { migrate: true });
  await opened.close();
  process.env.MREG_TEST_RUN_DATABASE_URL = database.url;
  process.env.MREG_TEST_RUN_DATABASE_NAME = database.name;
}
