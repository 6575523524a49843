import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';

/** One scratch data directory per test file (signing keys, embedded databases): never the repository's own. */
let scratchDir: string | undefined;
export function scratchDataDir(): string {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'mreg-test-'));
  return scratchDir;
}

/** The database migrated once for this test run by global-setup.ts. */
export function runDatabaseUrl(): string {
  const url = process.env.MREG_TEST_RUN_DATABASE_URL;
  if (!url)
    throw new Error('MREG_TEST_RUN_DATABASE_URL is unset: run this suite through jest (global setup)');
  return url;
}

/**
 * Configuration for a gateway under test: loopback, a free port, silent logs, the run's database, no `.env`.
 * Overrides are raw environment values, exactly as an operator would set them.
 */
export function testConfig(overrides: Record<string, string | undefined> = {}): LoadedConfig {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    MREG_HOST: '127.0.0.1',
    MREG_PORT: '0',
    MREG_LOG_LEVEL: 'silent',
    MREG_DATABASE_URL: runDatabaseUrl(),
    MREG_SHUTDOWN_TIMEOUT_MS: '2000',
    MREG_DATA_DIR: scratchDataDir(),
    // Every test client shares 127.0.0.1, so the per-IP limits would throttle a whole spec file as one client, and
    // specs open sessions many times faster than a person's per-second burst. Role, tenant and tool limits keep their
    // defaults; the throttling specs set small limits of their own.
    MREG_RATE_LIMIT_OAUTH_PER_MINUTE: '100000',
    MREG_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    MREG_RATE_LIMIT_BURST_FACTOR: '60',
    ...overrides,
  };
  return loadConfig(env, { dotenvDir: false });
}
