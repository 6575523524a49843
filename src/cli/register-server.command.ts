import { Command, Option } from 'nest-commander';
import type { Registration } from '../registry/index.js';
import { type RegistryCliOptions, RegistryCommand } from './registry-command.js';

interface RegisterOptions extends RegistryCliOptions {
  transport?: string;
  tags?: string;
  visibility?: string;
  discover?: boolean;
}

/** `mcp-gateway register-server NAME URL`: registers through the running gateway's API (see GatewayApiClient). */
@Command({
  name: 'register-server',
  arguments: '<name> <url>',
  description: 'Register an MCP server with the running gateway (discovers its tools unless --no-discover)',
})
export class RegisterServerCommand extends RegistryCommand {
  async run([name, url]: string[], options: RegisterOptions = {}): Promise<void> {
    await this.againstGateway(options, async (client) => {
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
      const endpoint = `${client.baseUrl}/servers/${registered.server.id}/mcp`;
      this.output.out(
        `Registered ${registered.server.name} (${registered.server.id}): ${registered.server.status}, ${tools}\n` +
          `  MCP endpoint: ${endpoint}\n` +
          `  a token for it (local mode): node bin/mcp-gateway.js token${options.tenant ? ` --tenant ${options.tenant}` : ''} --resource ${endpoint}`,
      );
    });
  }

  @Option({ flags: '--transport <transport>', description: 'streamable-http (default) or sse' })
  parseTransport(value: string): string {
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
}
