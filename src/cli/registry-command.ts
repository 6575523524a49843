import { CommandRunner, Option } from 'nest-commander';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';
import { GatewayApiClient, GatewayApiError } from './gateway-api-client.js';

export interface RegistryCliOptions {
  tenant?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

/** The options and error handling every registry command shares; they all drive the running gateway's API. */
export abstract class RegistryCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  /** Loads the config, connects the API client, and reports API errors as one line and exit code 1. */
  protected async againstGateway(
    options: RegistryCliOptions,
    work: (client: GatewayApiClient) => Promise<void>,
  ): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    try {
      await work(await GatewayApiClient.connect(loaded.config, options));
    } catch (error) {
      if (!(error instanceof GatewayApiError)) throw error;
      this.output.err(error.message);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--tenant <name>', description: 'Local mode: tenant (default: default)' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({
    flags: '--url <url>',
    description: 'Gateway URL (default: MREG_PUBLIC_URL or http://127.0.0.1:MREG_PORT)',
  })
  parseUrl(value: string): string {
    return value;
  }

  @Option({ flags: '--token <token>', description: 'Bearer token (Entra mode; default MREG_CLI_TOKEN)' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print JSON' })
  parseJson(): boolean {
    return true;
  }
}
