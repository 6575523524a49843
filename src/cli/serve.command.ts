import { Command, CommandRunner, Option } from 'nest-commander';
import { serve } from '../app/server.js';

interface ServeOptions {
  port?: number;
  host?: string;
}

@Command({
  name: 'serve',
  description: 'Start the gateway (the default when no command is given)',
  options: { isDefault: true },
})
export class ServeCommand extends CommandRunner {
  async run(_params: string[], options: ServeOptions = {}): Promise<void> {
    await serve(options);
  }

  @Option({ flags: '-p, --port <port>', description: 'TCP port (overrides MREG_PORT)' })
  parsePort(value: string): number {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be 0-65535 (got ${value})`);
    return port;
  }

  @Option({ flags: '--host <host>', description: 'Interface to listen on (overrides MREG_HOST)' })
  parseHost(value: string): string {
    return value;
  }
}
