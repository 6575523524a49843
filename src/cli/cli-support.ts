import type { AppConfig } from '../config/app-config.js';
import { ConfigValidationError, loadConfig, type LoadedConfig } from '../config/load-config.js';
import { Database } from '../database/database.js';
// The DataSources the CLI opens map every feature's entities (`migrate check` compares them with the migrations).
import '../app/entities.js';

/** Output helpers so commands stay testable: tests pass their own writer and read what was printed. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Loads the configuration, or prints every problem and sets exit code 1. */
export function loadConfigOrReport(
  output: CliOutput,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig | undefined {
  try {
    const loaded = loadConfig(env);
    for (const warning of loaded.warnings) output.err(`warning: ${warning}`);
    return loaded;
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    output.err(error.message);
    process.exitCode = 1;
    return undefined;
  }
}

/** Opens the database without migrating, runs `work`, and always closes it. */
export async function withDatabase<T>(
  config: AppConfig,
  work: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await Database.open(config, { migrate: false });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
