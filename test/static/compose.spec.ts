import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';
import { envVarsOf } from '../../src/config/env-var.decorator.js';
import { GatewayEnv } from '../../src/config/gateway-env.js';
import { loadConfig } from '../../src/config/load-config.js';

/**
 * No Docker engine runs here, so `compose.yaml` is checked against what it starts: the image's settings, the
 * gateway's configuration validation (with compose's own `${VAR:-default}` interpolation), and the services it wires.
 */
const read = (file: string) => readFileSync(join(__dirname, '../..', file), 'utf8');
const compose = parse(read('compose.yaml')) as {
  services: Record<string, any>;
  volumes: Record<string, unknown>;
};
const { gateway, postgres, redis } = compose.services;
const dockerfile = read('Dockerfile');

/** Compose's interpolation of `${NAME:-default}`, `${NAME-default}` and `${NAME}` against `given`. */
function interpolate(value: string, given: Record<string, string> = {}): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    const set = given[name];
    return set !== undefined && set !== '' ? set : (fallback ?? '');
  });
}

const envOf = (service: any, given: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service.environment as Record<string, string>).map(([k, v]) => [
      k,
      interpolate(String(v), given),
    ]),
  );

/** The image's `ENV` (NODE_ENV, MREG_HOST, MREG_PORT, MREG_DATA_DIR, ...), which compose's environment overrides. */
const imageEnv: Record<string, string> = Object.fromEntries(
  DockerfileParser.parse(dockerfile)
    .getENVs()
    .flatMap((env) => env.getProperties().map((property) => [property.getName(), property.getValue() ?? ''])),
);

describe('compose.yaml', () => {
  it('names only variables the gateway knows', () => {
    const known = new Set(envVarsOf(GatewayEnv).map((descriptor) => descriptor.name));
    const unknown = Object.keys(gateway.environment).filter(
      (name) => name !== 'NODE_ENV' && !known.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it('starts in local identity mode on the bundled PostgreSQL and Redis with nothing set', () => {
    // The image defaults to production, which refuses to start without Entra: compose must override it.
    expect(imageEnv.NODE_ENV).toBe('production');
    const { config } = loadConfig({ ...imageEnv, ...envOf(gateway) }, { dotenvDir: false });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      http: { host: '0.0.0.0', port: 8000 },
      dataDir: '/data',
      database: { kind: 'postgres' },
      redisUrl: 'redis://redis:6379',
      auth: { mode: 'local' },
    });
  });

  it('passes production validation once the Entra and secret variables are given', () => {
    const given = {
      NODE_ENV: 'production',
      MREG_PUBLIC_URL: 'https://mcp.example.com',
      MREG_AZURE_TENANT_ID: '11111111-1111-1111-1111-111111111111',
      MREG_AZURE_CLIENT_ID: '22222222-2222-2222-2222-222222222222',
      MREG_AZURE_CLIENT_SECRET: 'secret',
      MREG_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      MREG_METRICS_TOKEN: 'a'.repeat(32),
    };
    const { config } = loadConfig({ ...imageEnv, ...envOf(gateway, given) }, { dotenvDir: false });
    expect(config).toMatchObject({ nodeEnv: 'production', auth: { mode: 'entra' } });
  });

  it('points the gateway at the PostgreSQL and Redis services it waits for', () => {
    expect(gateway.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect((postgres.healthcheck.test as string[]).join(' ')).toContain('pg_isready');
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    const database = new URL(envOf(gateway).MREG_DATABASE_URL);
    const pg = envOf(postgres);
    expect(database.hostname).toBe('postgres');
    expect(decodeURIComponent(database.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(new URL(envOf(gateway).MREG_REDIS_URL).hostname).toBe('redis');
  });

  it("builds this repository's image, publishes its port on loopback only and keeps its data directory", () => {
    expect(gateway.build).toBe('.');
    expect(dockerfile).toMatch(/^EXPOSE 8000$/m);
    expect(gateway.ports).toEqual(['127.0.0.1:8000:8000']);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(gateway.volumes).toEqual(['gateway-data:/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['gateway-data', 'postgres-data']);
  });
});
