import { Command, CommandRunner } from 'nest-commander';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';

/** For container HEALTHCHECKs: asks the local gateway's /health and exits 0 on 200, 1 otherwise. */
@Command({ name: 'healthcheck', description: "Probe this host's gateway /health (exit 0 when healthy)" })
export class HealthcheckCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  async run(): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const url = `http://127.0.0.1:${loaded.config.http.port}/health`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
      this.output.err(`${url} answered ${response.status}`);
    } catch (error) {
      this.output.err(`${url}: ${(error as Error).message}`);
    }
    process.exitCode = 1;
  }
}
