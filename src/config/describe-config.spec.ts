import { describeConfig, MASK, maskUrlPassword } from './describe-config.js';
import { loadConfig } from './load-config.js';

const env = {
  MREG_DATABASE_URL: 'postgres://gateway:db-pass-123@db.internal:5432/mreg',
  MREG_REDIS_URL: 'redis://:redis-pass-456@cache:6379',
  MREG_AZURE_CLIENT_SECRET: 'client-secret-789',
  MREG_ENCRYPTION_KEY: 'a'.repeat(64),
  MREG_PORT: '9000',
};

describe('describeConfig', () => {
  const loaded = loadConfig(env, { dotenvDir: false });
  const byName = (showSecrets: boolean) =>
    Object.fromEntries(describeConfig(loaded, { showSecrets }).map((entry) => [entry.name, entry]));

  it('masks every secret by default and keeps the rest readable', () => {
    const entries = byName(false);
    const printed = JSON.stringify(entries);
    for (const secret of ['db-pass-123', 'redis-pass-456', 'client-secret-789', 'a'.repeat(64)]) {
      expect(printed).not.toContain(secret);
    }
    expect(entries.MREG_AZURE_CLIENT_SECRET.value).toBe(MASK);
    expect(entries.MREG_ENCRYPTION_KEY.value).toBe(MASK);
    expect(entries.MREG_DATABASE_URL.value).toBe('postgres://gateway:****@db.internal:5432/mreg');
    expect(entries.MREG_PORT).toMatchObject({ value: 9000, source: 'env', secret: false });
  });

  it('shows secrets only when asked to', () => {
    const entries = byName(true);
    expect(entries.MREG_AZURE_CLIENT_SECRET.value).toBe('client-secret-789');
    expect(entries.MREG_DATABASE_URL.value).toBe(env.MREG_DATABASE_URL);
  });

  it('lists every variable, including those of later layers, with a description', () => {
    const entries = describeConfig(loaded);
    expect(entries.length).toBeGreaterThanOrEqual(29);
    expect(entries.every((entry) => entry.description.length > 10)).toBe(true);
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'MREG_FASTMCP_REQUESTS_PER_MINUTE',
        'MREG_ENTRA_AUTHORITY_HOST',
        'MREG_ALLOW_PRIVATE_UPSTREAMS',
      ]),
    );
  });
});

describe('maskUrlPassword', () => {
  it('masks secret-looking query parameters as well as the password', () => {
    const masked = maskUrlPassword(
      'postgres://app@db/x?sslmode=require&password=s3cret&sslkey=k3y&sslpassword=p4ss',
    );
    expect(masked).not.toMatch(/s3cret|k3y|p4ss/);
    expect(masked).toContain('sslmode=require');
  });

  it('leaves a URL without a password alone and masks an unparsable one fully', () => {
    expect(maskUrlPassword('postgres://postgres@127.0.0.1/x')).toBe('postgres://postgres@127.0.0.1/x');
    expect(maskUrlPassword('not a url with secret')).toBe(MASK);
  });
});
