import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const GATEWAY_TOKEN_ALG = 'ES256';

interface StoredKey {
  kid: string;
  createdAt: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * ES256 keys that sign gateway-issued tokens in local identity mode, kept in a file in the data directory (mode 0600)
 * so that `mcp-gateway token` and a running gateway share them: the embedded database is locked by the running
 * process and cannot be the meeting point (verified-facts.md). The newest key signs; all listed keys verify.
 */
export class SigningKeyStore {
  private constructor(
    private readonly keys: StoredKey[],
    private readonly current: SigningKey,
  ) {}

  static fileFor(dataDir: string): string {
    return join(dataDir, 'keys', 'gateway-signing-keys.json');
  }

  /** Loads the key file, creating it with a fresh key pair if it does not exist yet. */
  static async open(file: string): Promise<SigningKeyStore> {
    const keys = (await readKeys(file)) ?? (await createKeys(file));
    const newest = keys.reduce((a, b) => (a.createdAt >= b.createdAt ? a : b));
    const privateKey = (await importJWK(newest.privateJwk, GATEWAY_TOKEN_ALG)) as CryptoKey;
    return new SigningKeyStore(keys, { kid: newest.kid, privateKey });
  }

  get signingKey(): SigningKey {
    return this.current;
  }

  hasKey(kid: string): boolean {
    return this.keys.some((key) => key.kid === kid);
  }

  /** Public keys, as a JWKS document. */
  publicJwks(): { keys: JWK[] } {
    return {
      keys: this.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: GATEWAY_TOKEN_ALG, use: 'sig' })),
    };
  }
}

async function readKeys(file: string): Promise<StoredKey[] | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { keys?: StoredKey[] };
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('no keys');
    return parsed.keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the signing keys in ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function createKeys(file: string): Promise<StoredKey[]> {
  const { privateKey, publicKey } = await generateKeyPair(GATEWAY_TOKEN_ALG, { extractable: true });
  const keys: StoredKey[] = [
    {
      kid: randomUUID(),
      createdAt: new Date().toISOString(),
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    },
  ];
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': if another process (the CLI, a second start) created it first, use theirs rather than overwrite it.
    await writeFile(file, JSON.stringify({ keys }, null, 2), { mode: 0o600, flag: 'wx' });
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = await readKeys(file);
    if (!existing) throw error;
    return existing;
  }
}
