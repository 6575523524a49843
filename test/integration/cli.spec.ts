import { randomUUID } from 'node:crypto';
import { AuditStore } from '../../src/audit/audit-store.js';
import type { PendingAuditEvent } from '../../src/audit/audit.types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditVerifyCommand } from '../../src/cli/audit.command.js';
import { KeysListCommand, KeysRotateCommand } from '../../src/cli/keys.command.js';
import { ConfigCommand } from '../../src/cli/config.command.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import type { CliOutput } from '../../src/cli/cli-support.js';
import { MigrateCommand } from '../../src/cli/migrate.command.js';
import { ValidateCommand } from '../../src/cli/validate.command.js';
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
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        tenantId,
        actorOid: 'o',
        actorName: null,
        roles: [],
        clientId: null,
        surface: 'cli',
        action: 'test',
        serverId: null,
        tool: null,
        requestId: null,
        sessionHash: null,
        outcome: 'success',
        status: null,
        errorCode: null,
        durationMs: null,
        bytes: null,
        params: { n },
        ip: null,
        userAgent: null,
      });
      await new AuditStore(db).append([event(1), event(2), event(3)]);
      expect(await runCommand(new AuditVerifyCommand(), env, [], { tenant: 'cli' })).toMatchObject({
        exitCode: 0,
        out: `ok      ${tenantId}\t3 events`,
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
