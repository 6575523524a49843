import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import {
  CLOCK_SKEW_SECONDS,
  longestTokenLifetimeSeconds,
  planRetirement,
  retentionMs,
  type RetirePlan,
  RetireRefusedError,
  SIGNING_KEY_REFRESH_MS,
  type SigningKeyOperations,
  withSigningKeys,
} from '../auth/index.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { parseDuration } from '../common/duration.js';
import type { AppConfig } from '../config/app-config.js';
import { resealSecrets } from '../database/reseal.js';
import { SECRET_RESEALERS } from '../app/secret-resealers.js';
import { type CliOutput, consoleOutput, loadConfigOrReport, withDatabase } from './cli-support.js';

/** A new key must be published on every replica (they reload each minute) before it signs anything. */
const MIN_ACTIVATION_MS = 2 * SIGNING_KEY_REFRESH_MS;
const DEFAULT_ACTIVATION = '5m';

interface RotateOptions {
  activateIn?: string;
}

interface RetireOptions {
  superseded?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

/** This configuration's signing keys, with the database opened for the command when they live there. */
function withKeys<T>(config: AppConfig, work: (keys: SigningKeyOperations) => Promise<T>): Promise<T> {
  return withSigningKeys(config, (use) => withDatabase(config, (database) => use(database.dataSource)), work);
}

@SubCommand({
  name: 'rotate',
  description:
    'Add a token signing key: published at once, signing after --activate-in (default 5m); old keys still verify',
})
export class KeysRotateCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  async run(_params: string[], options: RotateOptions = {}): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const seconds = parseDuration(options.activateIn ?? DEFAULT_ACTIVATION);
    const delayMs = seconds === undefined ? undefined : seconds * 1000;
    if (delayMs === undefined || delayMs < MIN_ACTIVATION_MS) {
      this.output.err(
        `--activate-in must be a duration of at least ${MIN_ACTIVATION_MS / 60_000}m, so every replica has the key before it signs`,
      );
      process.exitCode = 1;
      return;
    }
    try {
      const activeFrom = new Date(Date.now() + delayMs);
      const kid = await withKeys(loaded.config, (keys) => keys.rotate(activeFrom));
      this.output.out(`Added signing key ${kid}; it signs from ${activeFrom.toISOString()}`);
    } catch (error) {
      this.output.err(`keys rotate failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--activate-in <duration>', description: 'When the new key starts signing, e.g. 5m, 1h' })
  parseActivateIn(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'list',
  description: 'The token signing keys, when each signs from, and which signs now',
})
export class KeysListCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  async run(): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    try {
      const keys = await withKeys(loaded.config, async (store) => (await store.open()).describe());
      for (const key of keys) {
        this.output.out(`${key.signing ? '* ' : '  '}${key.kid}\tsigns from ${key.activeFrom}`);
      }
    } catch (error) {
      this.output.err(`keys list failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}

@SubCommand({
  name: 'retire',
  arguments: '[kid]',
  description:
    'Remove superseded token signing keys, so they are no longer published or accepted (every gateway drops them ' +
    'at its next reload, within a minute). A key is superseded once a newer key signs; it may go once no token it ' +
    `signed can still be valid: after the longest token lifetime (${longestTokenLifetimeSeconds('entra') / 3600}h; ` +
    `${longestTokenLifetimeSeconds('local') / 86_400}d in local mode, for mcp-gateway token) plus ` +
    `${CLOCK_SKEW_SECONDS / 60}m clock skew and ${SIGNING_KEY_REFRESH_MS / 60_000}m reload. The key signing now ` +
    'and keys that sign later are never retired; one superseded more recently only with --force',
})
export class KeysRetireCommand extends CommandRunner {
  output: CliOutput = consoleOutput;
  /** The time the retirement rule is applied at; tests set it. */
  clock: () => Date = () => new Date();

  async run(params: string[], options: RetireOptions = {}): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const kid = params[0];
    if ((kid === undefined) === !options.superseded) {
      this.output.err('keys retire needs a key id or --superseded (one of them)');
      process.exitCode = 1;
      return;
    }
    const { config } = loaded;
    const now = this.clock();
    const dryRun = options.dryRun === true;
    let plan: RetirePlan = { retire: [], early: [], kept: [] };
    try {
      await withKeys(config, (keys) =>
        // Decided inside the store's lock, on the keys as they are when they are removed.
        keys.retire((stored) => {
          plan = planRetirement(stored, { kid, force: options.force }, now, retentionMs(config.auth.mode));
          return dryRun ? [] : plan.retire.map((key) => key.kid);
        }),
      );
    } catch (error) {
      const refused = error instanceof RetireRefusedError;
      this.output.err(refused ? error.message : `keys retire failed: ${(error as Error).message}`);
      process.exitCode = 1;
      return;
    }
    for (const key of plan.early) {
      this.output.err(
        `warning: ${key.kid} was superseded at ${key.signedUntil}: tokens it signed (valid until up to ` +
          `${key.retirableFrom}) ${dryRun ? 'would stop' : 'stop'} verifying`,
      );
    }
    for (const key of plan.retire) {
      this.output.out(
        `${dryRun ? 'Would retire' : 'Retired'} signing key ${key.kid} (signed from ${key.signsFrom} until ${key.signedUntil})`,
      );
    }
    for (const key of plan.kept) {
      this.output.out(
        `Kept ${key.kid}: superseded at ${key.signedUntil}, can be retired from ${key.retirableFrom}`,
      );
    }
    if (plan.retire.length === 0) this.output.out('No signing key to retire');
    else if (!dryRun)
      this.output.out(
        'Gateways stop publishing and accepting retired keys at their next reload (within a minute)',
      );
  }

  @Option({
    flags: '--superseded',
    description: 'Every key superseded long enough that no token it signed is valid',
  })
  parseSuperseded(): boolean {
    return true;
  }

  @Option({
    flags: '--force',
    description: 'Also keys superseded more recently: tokens they signed stop verifying',
  })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'Print what would be retired; change nothing' })
  parseDryRun(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'reseal',
  description:
    'Re-seal every stored secret with MREG_ENCRYPTION_KEY (opening with it or MREG_ENCRYPTION_KEY_PREVIOUS), so old keys can go',
})
export class KeysResealCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  async run(): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const box = SecretBox.fromConfig(loaded.config);
    if (!box) {
      this.output.err('keys reseal needs MREG_ENCRYPTION_KEY (the key to seal with)');
      process.exitCode = 1;
      return;
    }
    try {
      const done = await withDatabase(loaded.config, (database) =>
        resealSecrets(database.dataSource, box, SECRET_RESEALERS),
      );
      const counts = SECRET_RESEALERS.map((resealer) => `${done[resealer.name]} ${resealer.what}`);
      this.output.out(`Re-sealed ${listed(counts)} with the current key`);
    } catch (error) {
      this.output.err(`keys reseal failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}

/** "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

@Command({
  name: 'keys',
  description:
    'Keys: list, rotate and retire token signing keys; re-seal stored secrets with the current encryption key',
  subCommands: [KeysListCommand, KeysRotateCommand, KeysRetireCommand, KeysResealCommand],
})
export class KeysCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  run(): Promise<void> {
    this.output.err(
      'Usage: mcp-gateway keys list | rotate [--activate-in 5m] | retire <kid> | retire --superseded | reseal',
    );
    process.exitCode = 1;
    return Promise.resolve();
  }
}
