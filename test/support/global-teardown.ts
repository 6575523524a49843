import { dropTestDatabase } from './test-database.js';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.MREG_TEST_RUN_DATABASE_NAME;
  if (name) await dropTestDatabase(name);
}
