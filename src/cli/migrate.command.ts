import { Command, CommandRunner } from 'nest-commander';
import {
  migrationStatus,
  revertLastMigration,
  runPendingMigrations,
  schemaDrift,
} from '../database/migrator.js';
import { type CliOutput, consoleOutput, loadConfigOrReport, withDatabase } from './cli-support.js';

const ACTIONS = ['run', 'status', 'revert', 'check'] as const;
type Action = (typeof ACTIONS)[number];

@Command({
  name: 'migrate',
  arguments: '[action]',
  description:
    'Database migrations: run (default; apply pending, under an advisory lock), status, revert (undo the last), ' +
    'check (fail if the entities need a migration that does not exist)',
})
export class MigrateCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  async run([action = 'run']: string[]): Promise<void> {
    if (!ACTIONS.includes(action as Action)) {
      this.output.err(`Unknown migrate action "${action}"; use one of ${ACTIONS.join(', ')}`);
      process.exitCode = 1;
      return;
    }
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    try {
      await withDatabase(loaded.config, (database) => this.perform(action as Action, database.dataSource));
    } catch (error) {
      this.output.err(`migrate ${action} failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }

  private async perform(
    action: Action,
    dataSource: Parameters<typeof runPendingMigrations>[0],
  ): Promise<void> {
    switch (action) {
      case 'run': {
        const applied = await runPendingMigrations(dataSource);
        this.output.out(applied.length === 0 ? 'No pending migrations' : `Applied: ${applied.join(', ')}`);
        return;
      }
      case 'status': {
        for (const migration of await migrationStatus(dataSource)) {
          this.output.out(`${migration.applied ? '[x]' : '[ ]'} ${migration.name}`);
        }
        return;
      }
      case 'revert': {
        const reverted = await revertLastMigration(dataSource);
        this.output.out(reverted ? `Reverted: ${reverted}` : 'Nothing to revert');
        return;
      }
      case 'check': {
        const drift = await schemaDrift(dataSource);
        if (drift.length === 0) {
          this.output.out('Schema matches the entities: no migration needed');
          return;
        }
        this.output.err(
          'Entities and migrations drift; generate a migration (npm run migration:generate -- src/database/migrations/Name). Missing SQL:',
        );
        for (const statement of drift) this.output.err(`  ${statement};`);
        process.exitCode = 1;
        return;
      }
    }
  }
}
