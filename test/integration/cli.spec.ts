import { AuditStore } from '../../src/audit/audit-store.js';
import type { PendingAuditEvent } from '../../src/audit/audit.types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditVerifyCommand } from '../../src/cli/audit.command.js';
import {
  KeysListCommand,
  KeysResealCommand,
  KeysRetireCommand,
  KeysRotateCommand,
} from '../../src/cli/keys.command.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import { ENTRA_CLIENT_ID, ENTRA_TID, TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { ConfigCommand } from '../../src/cli/config.command.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import type { CliOutput } from '../../src/cli/cli-support.js';
import { MigrateCommand } from '../../src/cli/migrate.command.js';
import { ValidateCommand } from '../../src/cli/validate.command.js';
import { pendingEvent } from '../support/audit-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

type Command = { output: CliOutput; run(params: string[], options?: Record<string, unknown>): Promise<void> };

/** Runs a CLI command in-process with the given environment; returns what it printed and its exit code. */
async function runCommand(
  command: Command,
  env: Record<string, string>,
  params: string[] = [],
  options = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  command.output = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  for (const key of Object.keys(process.env)) if (key.startsWith('MREG_')) delete process.env[key];
  Object.assign(process.env, { MREG_LOG_LEVEL: 'silent' }, env);
  try {
    await command.run(params, options);
    return { out: out.join('\n'), err: err.join('\n'), exitCode: process.exitCode ?? 0 };
  } finally {
    process.env = saved;
    process.exitCode = savedExitCode;
  }
}

describe('mcp-gateway CLI commands', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase('cli');
  });

  afterEach(async () => {
    await database.drop();
  });

  it('migrate status, run, check and revert against a fresh database', async () => {
    const env = { MREG_DATABASE_URL: database.url };
    expect((await runCommand(new MigrateCommand(), env, ['status'])).out).toMatch(/^\[ \] CreateTenants/m);
    expect(await runCommand(new MigrateCommand(), env, ['run'])).toMatchObject({
      exitCode: 0,
      out: expect.stringMatching(/^Applied: /),
    });
    expect((await runCommand(new MigrateCommand(), env, ['run'])).out).toBe('No pending migrations');
    expect((await runCommand(new MigrateCommand(), env, ['status'])).out).toMatch(/^\[x\] CreateTenants/m);
    expect(await runCommand(new MigrateCommand(), env, ['check'])).toMatchObject({ exitCode: 0 });
    expect((await runCommand(new MigrateCommand(), env, ['revert'])).out).toMatch(
      /^Reverted: CreateAuditEvents/,
    );
    expect(await runCommand(new MigrateCommand(), env, ['sideways'])).toMatchObject({ exitCode: 1 });
  });

  it('audit verify reports intact chains, and exits 1 naming the first broken link', async () => {
    const env = { MREG_DATABASE_URL: database.url };
    await runCommand(new MigrateCommand(), env, ['run']);
    const db = createDataSource({ target: { url: database.url }, poolSize: 1 });
    await db.initialize();
    try {
      const [{ id: tenantId }] = await db.query<{ id: string }[]>(
        `INSERT INTO tenants (entra_tenant_id, name) VALUES ('local:cli', 'cli') RETURNING id`,
      );
      const event = (n: number): PendingAuditEvent => ({
        ...pendingEvent(tenantId, n),
        surface: 'cli',
        action: 'test',
      });
      await new AuditStore(db).append([event(1), event(2), event(3)]);
      expect(await runCommand(new AuditVerifyCommand(), env, [], { tenant: 'cli' })).toMatchObject({
        exitCode: 0,
        out: `ok      ${tenantId}\t3 events`,
      });
      // The same tenant by its key, and by its id (taken as it is); an unknown name is refused.
      for (const tenant of ['local:cli', tenantId]) {
        expect((await runCommand(new AuditVerifyCommand(), env, [], { tenant })).out).toBe(
          `ok      ${tenantId}\t3 events`,
        );
      }
      expect(await runCommand(new AuditVerifyCommand(), env, [], { tenant: 'nobody' })).toMatchObject({
        exitCode: 1,
        err: 'audit verify failed: Unknown tenant "nobody"',
      });
      await db.transaction(async (manager) => {
        await manager.query(`SET LOCAL session_replication_role = replica`);
        await manager.query(`UPDATE audit_events SET actor_oid = 'mallory' WHERE chain_seq = 2`);
      });
      const broken = await runCommand(new AuditVerifyCommand(), env);
      expect(broken.exitCode).toBe(1);
      expect(broken.err).toMatch(new RegExp(`^BROKEN  ${tenantId}\tat seq 2 \\(id \\d+\\): event content`));
    } finally {
      await db.destroy();
    }
  });

  it('keys rotate adds a key that signs later, refuses too short a delay, and keys list shows both', async () => {
    const env = { MREG_DATA_DIR: mkdtempSync(join(tmpdir(), 'mreg-cli-keys-')) };
    expect(await runCommand(new KeysRotateCommand(), env, [], { activateIn: '30s' })).toMatchObject({
      exitCode: 1,
      err: expect.stringContaining('at least 2m'),
    });
    const rotated = await runCommand(new KeysRotateCommand(), env, [], { activateIn: '10m' });
    expect(rotated).toMatchObject({
      exitCode: 0,
      out: expect.stringMatching(/^Added signing key \S+; it signs from /),
    });
    const listed = await runCommand(new KeysListCommand(), env);
    const lines = listed.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\* /);
    expect(lines[1]).toMatch(/^ {2}\S+\tsigns from /);
  });

  it('keys retire removes superseded keys once their tokens have expired, and refuses the signing and later keys', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mreg-cli-retire-'));
    const env = { MREG_DATA_DIR: dataDir };
    const file = SigningKeyStore.fileFor(dataDir);
    const first = (await SigningKeyStore.open(file)).describe()[0];
    const day = (n: number) => new Date(Date.parse(first.activeFrom) + n * 86_400_000);
    // first signs days 0-1, second 1-40, third from 40, fourth from 60; local mode keeps a key 30d 6m.
    const second = await SigningKeyStore.rotateFile(file, day(1));
    const third = await SigningKeyStore.rotateFile(file, day(40));
    const fourth = await SigningKeyStore.rotateFile(file, day(60));
    const retire = () => Object.assign(new KeysRetireCommand(), { clock: () => day(40.5) });

    expect(await runCommand(retire(), env)).toMatchObject({
      exitCode: 1,
      err: 'keys retire needs a key id or --superseded (one of them)',
    });
    expect(await runCommand(retire(), env, [third], { force: true })).toMatchObject({
      exitCode: 1,
      err: `Refusing to retire ${third}: it signs now (rotate first, and retire it once superseded)`,
    });
    expect(await runCommand(retire(), env, [fourth])).toMatchObject({
      exitCode: 1,
      err: `Refusing to retire ${fourth}: it signs from ${day(60).toISOString()}, it has not been superseded`,
    });
    expect(await runCommand(retire(), env, [second])).toMatchObject({
      exitCode: 1,
      err: expect.stringMatching(
        new RegExp(`^Refusing to retire ${second}: superseded at ${day(40).toISOString()}, .*pass --force$`),
      ),
    });

    const dryRun = await runCommand(retire(), env, [], { superseded: true, dryRun: true });
    expect(dryRun).toMatchObject({ exitCode: 0, err: '' });
    expect(dryRun.out.split('\n')).toEqual([
      `Would retire signing key ${first.kid} (signed from ${first.activeFrom} until ${day(1).toISOString()})`,
      expect.stringMatching(
        new RegExp(`^Kept ${second}: superseded at ${day(40).toISOString()}, can be retired from `),
      ),
    ]);
    expect((await runCommand(new KeysListCommand(), env)).out.split('\n')).toHaveLength(4);

    const retired = await runCommand(retire(), env, [], { superseded: true });
    expect(retired).toMatchObject({ exitCode: 0, err: '' });
    expect(retired.out).toMatch(new RegExp(`^Retired signing key ${first.kid} \\(signed from `));
    expect(retired.out).toMatch(/at their next reload \(within a minute\)$/);
    expect((await runCommand(new KeysListCommand(), env)).out).not.toContain(first.kid);

    const forced = await runCommand(retire(), env, [second], { force: true });
    expect(forced).toMatchObject({
      exitCode: 0,
      err: expect.stringMatching(new RegExp(`^warning: ${second} was superseded at .* stop verifying$`)),
      out: expect.stringMatching(new RegExp(`^Retired signing key ${second} `)),
    });
    expect(await runCommand(retire(), env, [], { superseded: true })).toMatchObject({
      exitCode: 0,
      out: 'No signing key to retire',
    });
    const listed = (await runCommand(new KeysListCommand(), env)).out;
    expect(listed.split('\n').map((line) => line.split('\t')[0].trim().replace('* ', ''))).toEqual([
      third,
      fourth,
    ]);
  });

  it('keys retire in Entra mode removes the key from PostgreSQL', async () => {
    const env = {
      MREG_DATABASE_URL: database.url,
      MREG_AZURE_TENANT_ID: ENTRA_TID,
      MREG_AZURE_CLIENT_ID: ENTRA_CLIENT_ID,
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    };
    await runCommand(new MigrateCommand(), env, ['run']);
    const [first] = (await runCommand(new KeysListCommand(), env)).out.split('\n');
    const firstKid = first.replace('* ', '').split('\t')[0];
    expect(await runCommand(new KeysRotateCommand(), env, [], { activateIn: '1h' })).toMatchObject({
      exitCode: 0,
    });
    // Nine hours after the rotation the first key has been superseded for longer than Entra mode's 8h 6m.
    const retire = Object.assign(new KeysRetireCommand(), {
      clock: () => new Date(Date.now() + 10 * 3_600_000),
    });
    expect(await runCommand(retire, env, [], { superseded: true })).toMatchObject({
      exitCode: 0,
      out: expect.stringMatching(new RegExp(`^Retired signing key ${firstKid} `)),
    });
    const db = createDataSource({ target: { url: database.url }, poolSize: 1 });
    await db.initialize();
    try {
      const rows = await db.query<{ kid: string }[]>(`SELECT kid FROM oauth_signing_keys`);
      expect(rows).toHaveLength(1);
      expect(rows[0].kid).not.toBe(firstKid);
      expect(await runCommand(new KeysResealCommand(), env)).toMatchObject({
        exitCode: 0,
        out: "Re-sealed 1 signing keys, 0 stored Entra tokens and 0 servers' upstream credentials with the current key",
      });
    } finally {
      await db.destroy();
    }
  });

  it('validate passes on a good configuration and a reachable database', async () => {
    const result = await runCommand(new ValidateCommand(), { MREG_DATABASE_URL: database.url });
    expect(result.exitCode).toBe(0);
    expect(result.out).toMatch(/configuration: ok/);
    expect(result.out).toMatch(/database: ok \(postgres, postgres:\/\/postgres@127\.0\.0\.1/);
    expect(result.out).toMatch(/migrations: \d+ pending, applied at startup/);
  });

  it('validate reports pending migrations as a problem when migrate-on-boot is off', async () => {
    const result = await runCommand(new ValidateCommand(), {
      MREG_DATABASE_URL: database.url,
      MREG_MIGRATE_ON_BOOT: 'false',
    });
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/migrations: \d+ pending and MREG_MIGRATE_ON_BOOT=false/);
  });

  it('validate reports every configuration problem at once and exits 1', async () => {
    const result = await runCommand(new ValidateCommand(), {
      MREG_PORT: 'x',
      MREG_REDIS_URL: 'nope',
      MREG_LOG_LEVEL: 'loud',
    });
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/3 problems/);
    expect(result.err).toMatch(/MREG_PORT/);
    expect(result.err).toMatch(/MREG_REDIS_URL/);
    expect(result.err).toMatch(/MREG_LOG_LEVEL/);
  });

  it('validate reports an unreachable database without leaking its password', async () => {
    const result = await runCommand(new ValidateCommand(), {
      MREG_DATABASE_URL: 'postgres://app:topsecret@127.0.0.1:1/nowhere',
    });
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(
      /database: Cannot open the postgres database at postgres:\/\/app:\*\*\*\*@127\.0\.0\.1:1/,
    );
    expect(result.out + result.err).not.toContain('topsecret');
  });

  it('config masks secrets unless --show-secrets', async () => {
    const env = { MREG_DATABASE_URL: 'postgres://app:topsecret@db/x', MREG_AZURE_CLIENT_SECRET: 'cs-value' };
    const masked = await runCommand(new ConfigCommand(), env, [], { json: true });
    const parsed = JSON.parse(masked.out);
    expect(parsed.MREG_AZURE_CLIENT_SECRET).toEqual({ value: '****', source: 'env' });
    expect(parsed.MREG_DATABASE_URL.value).toBe('postgres://app:****@db/x');
    expect(masked.out).not.toMatch(/topsecret|cs-value/);
    const shown = await runCommand(new ConfigCommand(), env, [], { showSecrets: true });
    expect(shown.out).toMatch(/MREG_AZURE_CLIENT_SECRET\s+cs-value\s+\[env\]/);
  });
});
