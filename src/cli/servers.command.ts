import { Command, CommandRunner, SubCommand } from 'nest-commander';
import type { ServerPage, ServerView } from '../registry/index.js';
import { consoleOutput, type CliOutput } from './cli-support.js';
import { type RegistryCliOptions, RegistryCommand } from './registry-command.js';

const MAX_LISTED = 10_000;

@SubCommand({ name: 'list', description: 'List the servers of a tenant' })
export class ServersListCommand extends RegistryCommand {
  async run(_params: string[], options: RegistryCliOptions = {}): Promise<void> {
    await this.againstGateway(options, async (client) => {
      const servers: ServerView[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
        const page: ServerPage = await client.request<ServerPage>('GET', `/api/v1/servers${query}`);
        servers.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && servers.length < MAX_LISTED);
      if (options.json) return this.output.out(JSON.stringify(servers, null, 2));
      if (servers.length === 0) return this.output.out('No servers registered');
      for (const server of servers) {
        const url = server.endpoints.map((endpoint) => endpoint.url).join(', ');
        this.output.out(
          `${server.name}\t${server.id}\t${server.status}\t${server.toolCount} tools\t${server.transport}\t${url}`,
        );
      }
    });
  }
}

@SubCommand({ name: 'remove', arguments: '<name>', description: 'Remove a server from a tenant' })
export class ServersRemoveCommand extends RegistryCommand {
  async run([name]: string[], options: RegistryCliOptions = {}): Promise<void> {
    await this.againstGateway(options, async (client) => {
      await client.request('DELETE', `/api/v1/servers/${encodeURIComponent(name)}`);
      this.output.out(`Removed ${name}`);
    });
  }
}

@Command({
  name: 'servers',
  description: 'List or remove registered servers (through the running gateway)',
  subCommands: [ServersListCommand, ServersRemoveCommand],
})
export class ServersCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  run(): Promise<void> {
    this.output.err('Usage: mcp-gateway servers list|remove');
    process.exitCode = 1;
    return Promise.resolve();
  }
}
