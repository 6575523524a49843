import { Command, CommandRunner, Option } from 'nest-commander';
import type { Registration } from '../registry/registry.service.js';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';
import { GatewayApiClient, GatewayApiError } from './gateway-api-client.js';

export interface RegistryCliOptions {
  tenant?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

interface RegisterOptions extends RegistryCliOptions {
  transport?: string;
  tags?: string;
  visibility?: string;
  discover?: boolean;
}

/** Shared by the registry commands: config, API client, uniform error reporting. */
export async function runAgainstGateway(
  output: CliOutput,
  options: RegistryCliOptions,
  work: (client: GatewayApiClient) => Promise<void>,
): Promise<void> {
  const loaded = loadConfigOrReport(output);
  if (!loaded) return;
  try {
    await work(await GatewayApiClient.connect(loaded.config, options));
  } catch (error) {
    if (!(error instanceof GatewayApiError)) throw error;
    output.err(error.message);
    process.exitCode = 1;
  }
}

/** `mcp-gateway register-server NAME URL`: registers through the running gateway's API (see GatewayApiClient). */
@Command({
  name: 'register-server',
  arguments: '<name> <url>',
  description: 'Register an MCP server with the running gateway (discovers its tools unless --no-discover)',
})
export class RegisterServerCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  async run([name, url]: string[], options: RegisterOptions = {}): Promise<void> {
    await runAgainstGateway(this.output, options, async (client) => {
      const body = {
        name,
        url,
        ...(options.transport ? { transport: options.transport } : {}),
        ...(options.visibility ? { visibility: options.visibility } : {}),
        ...(options.tags ? { tags: options.tags.split(',').map((tag) => tag.trim()) } : {}),
        ...(options.discover === false ? { discover: false } : {}),
      };
      const registered = await client.request<Registration>('POST', '/api/v1/servers', body);
      if (options.json) return this.output.out(JSON.stringify(registered, null, 2));
      const tools = registered.discovered ? `${registered.discovered.tools.length} tools` : 'not discovered';
      this.output.out(
        `Registered ${registered.server.name} (${registered.server.id}): ${registered.server.status}, ${tools}`,
      );
    });
  }

  @Option({ flags: '--transport <transport>', description: 'streamable-http (default) or sse' })
  parseTransport(value: string): string {
    return value;
  }

  @Option({ flags: '--tenant <name>', description: 'Local mode: tenant to register in (default: default)' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--tags <tags>', description: 'Comma-separated tags' })
  parseTags(value: string): string {
    return value;
  }

  @Option({ flags: '--visibility <visibility>', description: 'tenant (default) or global (platform admins)' })
  parseVisibility(value: string): string {
    return value;
  }

  @Option({ flags: '--no-discover', description: 'Register without contacting the server' })
  parseDiscover(value: boolean): boolean {
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

  @Option({ flags: '--json', description: 'Print the API response as JSON' })
  parseJson(): boolean {
    return true;
  }
}
