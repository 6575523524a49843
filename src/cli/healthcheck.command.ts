import { Command, CommandRunner, Option } from 'nest-commander';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';

/** For container HEALTHCHECKs: asks the local gateway's /health and exits 0 on 200, 1 otherwise. */
@Command({ name: 'healthcheck', description: "Probe this host's gateway /health (exit 0 when healthy)" })
export class HealthcheckCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  async run(_params: string[], options: { port?: number } = {}): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const { host, port } = loaded.config.http;
    // A wildcard listener is reachable on loopback; a specific address only on itself.
    const target =
      host === '0.0.0.0'
        ? '127.0.0.1'
        : host === '::'
          ? '[::1]'
          : host.includes(':') && !host.startsWith('[')
            ? `[${host}]`
            : host;
    const url = `http://${target}:${options.port ?? port}/health`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
      this.output.err(`${url} answered ${response.status}`);
    } catch (error) {
      this.output.err(`${url}: ${(error as Error).message}`);
    }
    process.exitCode = 1;
  }

  @Option({ flags: '-p, --port <port>', description: 'Port the gateway listens on (default MREG_PORT)' })
  parsePort(value: string): number {
    return Number(value);
  }
}
