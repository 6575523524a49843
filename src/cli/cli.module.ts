import { Module } from '@nestjs/common';
import { AuditCommand, AuditVerifyCommand } from './audit.command.js';
import { ConfigCommand } from './config.command.js';
import {
  KeysCommand,
  KeysListCommand,
  KeysResealCommand,
  KeysRetireCommand,
  KeysRotateCommand,
} from './keys.command.js';
import { HealthcheckCommand } from './healthcheck.command.js';
import { TokenCommand } from './token.command.js';
import { MigrateCommand } from './migrate.command.js';
import { ServeCommand } from './serve.command.js';
import { ValidateCommand } from './validate.command.js';
import { RegisterServerCommand } from './register-server.command.js';
import { ServersCommand, ServersListCommand, ServersRemoveCommand } from './servers.command.js';

@Module({
  providers: [
    ServeCommand,
    ValidateCommand,
    ConfigCommand,
    MigrateCommand,
    HealthcheckCommand,
    TokenCommand,
    RegisterServerCommand,
    ServersCommand,
    ServersListCommand,
    ServersRemoveCommand,
    AuditCommand,
    AuditVerifyCommand,
    KeysCommand,
    KeysListCommand,
    KeysRotateCommand,
    KeysRetireCommand,
    KeysResealCommand,
  ],
})
export class CliModule {}
