import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { GATEWAY_VERSION } from '../common/version.js';
import { CliModule } from './cli.module.js';

// The CLI's own Nest context only wires commands; `serve` starts the full application separately.
await CommandFactory.run(CliModule, { logger: false, cliName: 'mcp-gateway', version: GATEWAY_VERSION });
