import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './load-config.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';

const sut = (env: Record<string, string | undefined>, dotenvDir: string | false = false) =>
  loadConfig(env, { dotenvDir });

function problemsOf(env: Record<string, string | undefined>) {
  try {
    sut(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return Object.fromEntries((error as ConfigValidationError).problems.map((p) => [p.variable, p.message]));
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('starts from working defaults: port 8000 on loopback, embedded database, local identity, 1 MiB body limit', () => {
    const { config, warnings } = sut({});
    // Local identity mode's sign-in form lets anyone in as anyone: this machine only, unless MREG_HOST says otherwise.
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8000, bodyLimitBytes: 1024 * 1024 });
    expect(sut({ MREG_AZURE_TENANT_ID: TENANT, MREG_AZURE_CLIENT_ID: CLIENT }).config.http.host).toBe(
      '0.0.0.0',
    );
    expect(sut({ MREG_HOST: '0.0.0.0' }).config.http.host).toBe('0.0.0.0');
    expect(config.database).toMatchObject({ kind: 'embedded', migrateOnBoot: true, poolSize: 10 });
    expect(config.dataDir).toMatch(/\.mcp-gateway$/);
    expect(config.auth).toMatchObject({
      mode: 'local',
      entraAuthorityHost: 'https://login.microsoftonline.com',
    });
    expect(config.rateLimit).toMatchObject({
      enabled: true,
      requestsPerMinute: 100,
      tiers: { admin: 1000, server_owner: 500, user: 100, anonymous: 20 },
      tenantMultiplier: 500,
      globalPerMinute: 0,
      burstFactor: 15,
      oauthPerMinute: 30,
      tools: {},
      failClosed: false,
    });
    expect(warnings).toEqual([]);
  });

  it('scales the admin and server_owner tiers from the user tier unless they are set', () => {
    expect(sut({ MREG_FASTMCP_REQUESTS_PER_MINUTE: '7' }).config.rateLimit.tiers).toEqual({
      admin: 70,
      server_owner: 35,
      user: 7,
      anonymous: 20,
    });
    const { config } = sut({
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '7',
      MREG_RATE_LIMIT_ADMIN_PER_MINUTE: '9',
      MREG_RATE_LIMIT_TOOLS: 'proxy_request=60, whoami=2',
    });
    expect(config.rateLimit.tiers.admin).toBe(9);
    expect(config.rateLimit.tools).toEqual({ proxy_request: 60, whoami: 2 });
  });

  it('converts typed values from their string form', () => {
    const { config } = sut({
      MREG_PORT: '9000',
      MREG_BODY_LIMIT: '512kb',
      MREG_MIGRATE_ON_BOOT: 'no',
      MREG_FASTMCP_OAUTH_SCOPES: 'openid, email  User.Read',
      MREG_DATABASE_URL: 'postgresql://app:pw@db:5432/gateway',
      MREG_PUBLIC_URL: 'https://mcp.example.com/',
    });
    expect(config.http.port).toBe(9000);
    expect(config.http.bodyLimitBytes).toBe(512 * 1024);
    expect(config.http.publicUrl).toBe('https://mcp.example.com');
    expect(config.database).toMatchObject({ kind: 'postgres', migrateOnBoot: false });
    expect(config.auth.oauthScopes).toEqual(['openid', 'email', 'User.Read']);
  });

  it.each([
    ['MREG_PORT', 'eighty', /integer from 0 to 65535 \(got "eighty"\)/],
    ['MREG_PORT', '70000', /integer from 0 to 65535/],
    ['MREG_MIGRATE_ON_BOOT', 'maybe', /must be true or false \(got "maybe"\)/],
    ['MREG_LOG_LEVEL', 'loud', /must be one of fatal, error/],
    ['NODE_ENV', 'staging', /must be one of development, production, test/],
    ['MREG_DATABASE_URL', 'mysql://db/x', /postgres:\/\/ or postgresql:\/\/ URL/],
    ['MREG_REDIS_URL', 'http://cache', /redis:\/\/ or rediss:\/\/ URL/],
    ['MREG_PUBLIC_URL', 'mcp.example.com', /http\(s\) URL/],
    ['MREG_BODY_LIMIT', 'huge', /size such as 1mb/],
    ['MREG_BODY_LIMIT', '100gb', /at most 64mb/],
    ['MREG_AZURE_TENANT_ID', 'contoso', /must be a GUID/],
    ['MREG_ENCRYPTION_KEY', 'short', /32 bytes/],
    ['MREG_ALLOWED_TENANTS', `${TENANT},contoso`, /'\*' or a comma-separated list of tenant GUIDs/],
    ['MREG_ROLE_MAP', 'Gateway.Admin=root', /role one of admin, server_owner, user/],
    ['MREG_FASTMCP_REQUESTS_PER_MINUTE', '0', /integer from 1 to 1000000/],
  ])('rejects %s=%s with a clear message', (variable, value, message) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'MREG_AZURE_TENANT_ID') env.MREG_AZURE_CLIENT_ID = CLIENT;
    expect(problemsOf(env)[variable]).toMatch(message);
  });

  it('never echoes a rejected secret value', () => {
    const problems = problemsOf({
      MREG_ENCRYPTION_KEY: 'hunter2',
      MREG_DATABASE_URL: 'mysql://u:hunter2@x/y',
    });
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ MREG_PORT: 'x', MREG_LOG_LEVEL: 'loud', MREG_DB_POOL_SIZE: '0' });
    expect(Object.keys(problems).sort()).toEqual(['MREG_DB_POOL_SIZE', 'MREG_LOG_LEVEL', 'MREG_PORT']);
  });

  it('lists each problem on its own line in the error message', () => {
    expect(() => sut({ MREG_PORT: 'x', MREG_LOG_LEVEL: 'loud' })).toThrow(
      /Invalid configuration \(2 problems\):\n {2}- MREG_PORT: .*\n {2}- MREG_LOG_LEVEL: /,
    );
  });

  it('requires the client id once an Entra tenant is configured', () => {
    expect(problemsOf({ MREG_AZURE_TENANT_ID: TENANT }).MREG_AZURE_CLIENT_ID).toMatch(
      /required when MREG_AZURE_TENANT_ID/,
    );
    const { config } = sut({ MREG_AZURE_TENANT_ID: TENANT, MREG_AZURE_CLIENT_ID: CLIENT });
    expect(config.auth).toMatchObject({ mode: 'entra', allowedTenants: [TENANT] });
  });

  it('refuses local identity mode in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).MREG_AZURE_TENANT_ID).toMatch(
      /required when NODE_ENV=production/,
    );
  });

  it('merges MREG_ROLE_MAP over the default app-role mapping', () => {
    const { config } = sut({ MREG_ROLE_MAP: 'Ops.Owner=server_owner,Gateway.Admin=user' });
    expect(config.auth.roleMap).toMatchObject({
      'Ops.Owner': 'server_owner',
      'Gateway.Admin': 'user',
      admin: 'admin',
    });
  });

  it('treats empty values as unset', () => {
    const { config, sources } = sut({ MREG_PORT: '', MREG_DATABASE_URL: '  ' });
    expect(config.http.port).toBe(8000);
    expect(config.database.kind).toBe('embedded');
    expect(sources.MREG_PORT).toBe('default');
  });

  it('reads .env, and real environment variables win over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mreg-dotenv-'));
    writeFileSync(join(dir, '.env'), 'MREG_PORT=9100\nMREG_LOG_LEVEL=debug\n');
    const { config, sources } = sut({ MREG_LOG_LEVEL: 'warn' }, dir);
    expect(config.http.port).toBe(9100);
    expect(config.logLevel).toBe('warn');
    expect(sources).toMatchObject({ MREG_PORT: '.env', MREG_LOG_LEVEL: 'env', MREG_HOST: 'default' });
  });

  it('parses pre-registered OAuth clients and reports a malformed list without echoing it', () => {
    const { config } = sut({
      MREG_OAUTH_CLIENTS: JSON.stringify([
        { client_id: 'vscode', redirect_uris: ['http://127.0.0.1/cb'], client_secret: 's'.repeat(20) },
      ]),
    });
    expect(config.auth.staticClients).toEqual([
      {
        clientId: 'vscode',
        clientName: undefined,
        redirectUris: ['http://127.0.0.1/cb'],
        clientSecret: 's'.repeat(20),
      },
    ]);
    expect(problemsOf({ MREG_OAUTH_CLIENTS: '[{"client_id":"x y"' }).MREG_OAUTH_CLIENTS).toBe(
      'must be a JSON array of clients',
    );
    const short = problemsOf({
      MREG_OAUTH_CLIENTS: '[{"client_id":"a","redirect_uris":["https://a/cb"],"client_secret":"hunter2"}]',
    });
    expect(short.MREG_OAUTH_CLIENTS).toMatch(/client 1: client_secret must be a string of at least 16/);
    expect(JSON.stringify(short)).not.toContain('hunter2');
  });

  it('requires the public URL and an encryption key in production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      MREG_AZURE_TENANT_ID: TENANT,
      MREG_AZURE_CLIENT_ID: CLIENT,
    });
    expect(problems.MREG_PUBLIC_URL).toMatch(/required when NODE_ENV=production/);
    expect(problems.MREG_ENCRYPTION_KEY).toMatch(/required when NODE_ENV=production/);
    expect(problems.MREG_METRICS_TOKEN).toMatch(/required when NODE_ENV=production/);
  });

  it('warns about unknown MREG_ variables and suggests the closest known name', () => {
    const { warnings } = sut({ MREG_PROT: '1', MREG_SOMETHING_ELSE: 'x', MREG_TEST_DATABASE_URL: 'ignored' });
    expect(warnings).toEqual([
      'Unknown variable MREG_PROT is ignored (did you mean MREG_PORT?)',
      'Unknown variable MREG_SOMETHING_ELSE is ignored',
    ]);
  });

  it('warns a gateway on PostgreSQL without MREG_ENCRYPTION_KEY what that means, apart from the variable warnings', () => {
    const loaded = sut({ MREG_DATABASE_URL: 'postgres://db/mreg' });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.servingWarnings).toEqual([
      expect.stringContaining('MREG_ENCRYPTION_KEY is unset on PostgreSQL'),
    ]);
    expect(
      sut({ MREG_DATABASE_URL: 'postgres://db/mreg', MREG_ENCRYPTION_KEY: 'a'.repeat(64) }).servingWarnings,
    ).toEqual([]);
    expect(sut({}).servingWarnings).toEqual([]);
  });

  it('warns an Entra gateway without a client secret that its OAuth sign-in cannot work', () => {
    const entra = {
      MREG_AZURE_TENANT_ID: TENANT,
      MREG_AZURE_CLIENT_ID: CLIENT,
      MREG_METRICS_TOKEN: 'm'.repeat(16),
    };
    expect(sut(entra).servingWarnings).toEqual([
      expect.stringContaining('MREG_AZURE_CLIENT_SECRET is unset'),
    ]);
    expect(sut({ ...entra, MREG_AZURE_CLIENT_SECRET: 'x' }).servingWarnings).toEqual([]);
  });

  it('warns a gateway reachable beyond loopback that its /metrics is public without MREG_METRICS_TOKEN', () => {
    expect(sut({ MREG_HOST: '0.0.0.0' }).servingWarnings).toEqual([
      expect.stringContaining(
        'MREG_METRICS_TOKEN is unset and the gateway listens on 0.0.0.0: /metrics answers anyone',
      ),
    ]);
    expect(sut({ MREG_HOST: '0.0.0.0', MREG_METRICS_TOKEN: 'm'.repeat(16) }).servingWarnings).toEqual([]);
    // Local identity mode listens on 127.0.0.1 by default: nobody else reaches /metrics.
    expect(sut({ MREG_HOST: '::1' }).servingWarnings).toEqual([]);
  });
});
