import { Command, CommandRunner } from 'nest-commander';
import { type CliOutput, consoleOutput, loadConfigOrReport, withDatabase } from './cli-support.js';

/**
 * Checks everything that can be checked before starting: configuration, database reachability and migration
 * state. Prints every problem found and exits 1 if there was any.
 */
@Command({ name: 'validate', description: 'Check configuration, database reachability and migration state' })
export class ValidateCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  async run(): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const { config } = loaded;
    for (const warning of loaded.servingWarnings) this.output.err(`warning: ${warning}`);
    const warnings = loaded.warnings.length + loaded.servingWarnings.length;
    this.output.out(`configuration: ok (${warnings} warning${warnings === 1 ? '' : 's'})`);
    const problems: string[] = [];
    try {
      // A check reports the database as it is now: no waiting for one that is down (MREG_DATABASE_WAIT_MS).
      const now = { ...config, database: { ...config.database, waitMs: 0 } };
      await withDatabase(now, async (database) => {
        await database.ping();
        this.output.out(`database: ok (${database.kind}, ${database.location})`);
        const pending = await database.pendingMigrations();
        if (pending.length === 0) {
          this.output.out('migrations: ok (all applied)');
        } else if (config.database.migrateOnBoot) {
          this.output.out(`migrations: ${pending.length} pending, applied at startup: ${pending.join(', ')}`);
        } else {
          problems.push(
            `migrations: ${pending.length} pending and MREG_MIGRATE_ON_BOOT=false: ${pending.join(', ')}`,
          );
        }
      });
    } catch (error) {
      problems.push(`database: ${(error as Error).message}`);
    }
    for (const problem of problems) this.output.err(problem);
    if (problems.length > 0) {
      this.output.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
      process.exitCode = 1;
    }
  }
}
