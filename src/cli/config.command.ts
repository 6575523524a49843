import { Command, CommandRunner, Option } from 'nest-commander';
import { describeConfig } from '../config/describe-config.js';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';

interface ConfigOptions {
  showSecrets?: boolean;
  json?: boolean;
}

@Command({
  name: 'config',
  description: 'Print the effective configuration (secrets masked unless --show-secrets)',
})
export class ConfigCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  run(_params: string[], options: ConfigOptions = {}): Promise<void> {
    this.print(options);
    return Promise.resolve();
  }

  private print(options: ConfigOptions): void {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const entries = describeConfig(loaded, { showSecrets: options.showSecrets });
    if (options.json) {
      this.output.out(
        JSON.stringify(
          Object.fromEntries(entries.map((e) => [e.name, { value: e.value, source: e.source }])),
          null,
          2,
        ),
      );
      return;
    }
    const width = Math.max(...entries.map((e) => e.name.length));
    for (const entry of entries) {
      const value =
        entry.value === null
          ? '(unset)'
          : Array.isArray(entry.value)
            ? entry.value.join(',')
            : String(entry.value);
      this.output.out(`${entry.name.padEnd(width)}  ${value}  [${entry.source}]`);
    }
  }

  @Option({ flags: '--show-secrets', description: 'Print secrets in clear text' })
  parseShowSecrets(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'Print JSON' })
  parseJson(): boolean {
    return true;
  }
}
