import { envVarsOf, type SecretKind } from './env-var.decorator.js';
import { GatewayEnv } from './gateway-env.js';
import type { LoadedConfig, ValueSource } from './load-config.js';

export const MASK = '****';

export interface ConfigEntry {
  name: string;
  value: string | number | boolean | string[] | null;
  source: ValueSource;
  secret: boolean;
  description: string;
  usedBy?: string;
}

/** The effective configuration as operators see it: every variable, its value (masked) and where it came from. */
export function describeConfig(
  loaded: Pick<LoadedConfig, 'env' | 'sources'>,
  options: { showSecrets?: boolean } = {},
): ConfigEntry[] {
  const env = loaded.env as unknown as Record<string, unknown>;
  return envVarsOf(GatewayEnv).map((descriptor) => {
    const value = (env[descriptor.name] ?? null) as ConfigEntry['value'];
    return {
      name: descriptor.name,
      value: options.showSecrets ? value : maskValue(value, descriptor.secret),
      source: loaded.sources[descriptor.name] ?? 'default',
      secret: descriptor.secret !== 'none',
      description: descriptor.description,
      usedBy: descriptor.usedBy,
    };
  });
}

export function maskValue(value: ConfigEntry['value'], kind: SecretKind): ConfigEntry['value'] {
  if (value === null || kind === 'none') return value;
  if (kind === 'full') return MASK;
  return maskUrlPassword(String(value));
}

const SECRET_PARAM = /pass|secret|key|token|cred/i;

/**
 * `postgres://app:s3cret@db/x` → `postgres://app:****@db/x`, and secret-looking query parameters
 * (`?password=`, `sslpassword`, `sslkey`, ...) masked too; a URL without secrets is shown as is.
 */
export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    let masked = false;
    if (parsed.password) {
      parsed.password = MASK;
      masked = true;
    }
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) {
        parsed.searchParams.set(name, MASK);
        masked = true;
      }
    }
    return masked ? parsed.toString() : url;
  } catch {
    return MASK;
  }
}
