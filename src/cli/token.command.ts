import { Command, CommandRunner, Option } from 'nest-commander';
import {
  gatewayIssuer,
  GatewayTokens,
  LOCAL_NAME,
  LOCAL_TOKEN_MAX_TTL_SECONDS,
  localPrincipal,
  parseRoleList,
  SigningKeyStore,
} from '../auth/index.js';
import { parseDuration } from '../common/duration.js';
import { type CliOutput, consoleOutput, loadConfigOrReport } from './cli-support.js';

interface TokenOptions {
  tenant?: string;
  user?: string;
  roles?: string;
  ttl?: string;
  resource?: string;
  url?: string;
}

const BASE_URL = /^https?:\/\/[^\s/?#]+$/i;

/**
 * Local identity mode only: prints a bearer token the running gateway accepts, signed with the key in the data
 * directory, e.g. `TOKEN=$(node bin/mcp-gateway.js token --tenant acme --user alice --roles admin)`.
 */
@Command({ name: 'token', description: 'Local mode: print a bearer token for a development user' })
export class TokenCommand extends CommandRunner {
  /** Where the command prints; tests replace it to read the output. */
  output: CliOutput = consoleOutput;

  async run(_params: string[], options: TokenOptions = {}): Promise<void> {
    const loaded = loadConfigOrReport(this.output);
    if (!loaded) return;
    const { config } = loaded;
    const problems: string[] = [];
    if (config.auth.mode !== 'local')
      problems.push('tokens can only be minted in local identity mode (MREG_AZURE_TENANT_ID is set)');
    const tenant = options.tenant ?? 'default';
    const user = options.user ?? 'developer';
    if (!LOCAL_NAME.test(tenant))
      problems.push(`--tenant must be a plain name (got ${JSON.stringify(tenant)})`);
    if (!LOCAL_NAME.test(user)) problems.push(`--user must be a plain name (got ${JSON.stringify(user)})`);
    const roles = parseRoleList(options.roles ?? 'user');
    if (!roles) problems.push(`--roles must be admin, server_owner and/or user (got ${options.roles})`);
    const ttl = parseDuration(options.ttl ?? '8h');
    if (ttl === undefined || ttl < 60 || ttl > LOCAL_TOKEN_MAX_TTL_SECONDS)
      problems.push(`--ttl must be a duration from 1m to 30d such as 1h (got ${options.ttl})`);
    const url = options.url?.replace(/\/+$/, '');
    if (url !== undefined && !BASE_URL.test(url))
      problems.push(
        `--url must be the gateway's base URL such as http://localhost:8000 (got ${options.url})`,
      );
    if (problems.length > 0) {
      for (const problem of problems) this.output.err(problem);
      process.exitCode = 1;
      return;
    }
    const keys = await SigningKeyStore.open(SigningKeyStore.fileFor(config.dataDir));
    const tokens = new GatewayTokens(keys, gatewayIssuer(config));
    // The URL clients use, when it is not what this process's own MREG_PORT or MREG_PUBLIC_URL would say.
    const base = url ?? config.http.publicUrl ?? `http://localhost:${config.http.port}`;
    const token = await tokens.issue({
      ...localPrincipal(tenant, user, roles ?? []),
      // Default: the REST API and the gateway's own /mcp. MCP endpoints accept only tokens for themselves.
      audience: options.resource ?? [base, `${base}/mcp`],
      ttlSeconds: ttl ?? 0,
    });
    this.output.out(token);
  }

  @Option({ flags: '--tenant <name>', description: 'Tenant name (default: default)' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--user <name>', description: 'User name (default: developer)' })
  parseUser(value: string): string {
    return value;
  }

  @Option({
    flags: '--roles <roles>',
    description: 'Comma-separated roles: admin, server_owner, user (default: user)',
  })
  parseRoles(value: string): string {
    return value;
  }

  @Option({ flags: '--ttl <duration>', description: 'Lifetime such as 30m, 8h, 7d (default: 8h)' })
  parseTtl(value: string): string {
    return value;
  }

  @Option({
    flags: '--resource <url>',
    description:
      'Audience: one MCP endpoint URL (default: the REST API and /mcp of MREG_PUBLIC_URL or localhost)',
  })
  parseResource(value: string): string {
    return value;
  }

  @Option({
    flags: '--url <base URL>',
    description:
      "The gateway's base URL the token is for (default: MREG_PUBLIC_URL, or localhost and MREG_PORT)",
  })
  parseUrl(value: string): string {
    return value;
  }
}
