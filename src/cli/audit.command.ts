import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { AuditChainVerifier, type ChainReport } from '../audit/index.js';
import { TenantsService } from '../tenancy/index.js';
import { type CliOutput, consoleOutput, loadConfigOrReport, withDatabase } from './cli-support.js';

interface VerifyOptions {
  tenant?: string;
  json?: boolean;
}

/**
 * `mcp-gateway audit verify [--tenant T]`: walks the audit hash chains straight in the database (the gateway need not
 * run; with the embedded database it must not, as it holds the data directory) and exits 1 at the first broken link.
 */
@SubCommand({
  name: 'verify',
  description: "Check the audit trail's hash chains; exit 1 at the first broken link",
})
export class AuditVerifyCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  async run(_params: string[], options: VerifyOptions = {}): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    try {
      const report = await withDatabase(loaded.config, async (database) => {
        const tenantId = options.tenant
          ? await TenantsService.on(database.dataSource).idOf(options.tenant)
          : undefined;
        return new AuditChainVerifier(database.dataSource).verify(tenantId);
      });
      this.print(report, options.json === true);
      if (!report.ok) process.exitCode = 1;
    } catch (error) {
      this.output.err(`audit verify failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }

  private print(report: ChainReport, json: boolean): void {
    if (json) return this.output.out(JSON.stringify(report, null, 2));
    if (report.tenants.length === 0) return this.output.out('No audit events');
    for (const tenant of report.tenants) {
      if (tenant.ok) {
        this.output.out(`ok      ${tenant.tenantId}\t${tenant.events} events`);
      } else {
        const at = tenant.brokenAt!;
        this.output.err(
          `BROKEN  ${tenant.tenantId}\tat seq ${at.chainSeq}${at.id ? ` (id ${at.id})` : ''}: ${at.reason}`,
        );
      }
    }
  }

  @Option({
    flags: '--tenant <tenant>',
    description: 'Only this tenant: its id, Entra tenant id or local name',
  })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print the report as JSON' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'audit',
  description: 'The audit trail: verify its hash chains',
  subCommands: [AuditVerifyCommand],
})
export class AuditCommand extends CommandRunner {
  output: CliOutput = consoleOutput;

  run(): Promise<void> {
    this.output.err('Usage: mcp-gateway audit verify [--tenant <tenant>] [--json]');
    process.exitCode = 1;
    return Promise.resolve();
  }
}
