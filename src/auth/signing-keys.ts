import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../common/crypto/secret-box.js';
import { OAuthSigningKeyEntity } from './oauth/oauth.entities.js';

/** Advisory-lock key ('MRSK') serialising the creation of the first shared signing key. */
const SIGNING_KEY_LOCK = 0x4d52534b;

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
 * ES256 keys that sign gateway-issued tokens. In local identity mode they live in a file in the data directory
 * (mode 0600), so `mcp-gateway token` and a running gateway share them (the embedded database is locked by the
 * running process). In Entra mode they live in PostgreSQL, shared by every replica. The newest key signs; all verify.
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
    return SigningKeyStore.from((await readKeys(file)) ?? (await createKeys(file)));
  }

  /**
   * Entra mode: keys shared by every replica through PostgreSQL, private halves sealed with MREG_ENCRYPTION_KEY.
   * The first replica to start creates the key under a transaction-scoped advisory lock; the others load it.
   */
  static async openInDatabase(dataSource: DataSource, box: SecretBox): Promise<SigningKeyStore> {
    const rows = await dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
      const repository = manager.getRepository(OAuthSigningKeyEntity);
      const existing = await repository.find();
      if (existing.length > 0) return existing;
      const [key] = await newKeys();
      await manager.query(
        'INSERT INTO oauth_signing_keys (kid, public_jwk, private_jwk) VALUES ($1, $2::jsonb, $3)',
        [key.kid, JSON.stringify(key.publicJwk), box.seal(JSON.stringify(key.privateJwk), key.kid)],
      );
      return repository.find();
    });
    return SigningKeyStore.from(
      rows.map((row) => ({
        kid: row.kid,
        createdAt: row.createdAt.toISOString(),
        publicJwk: row.publicJwk,
        privateJwk: JSON.parse(openSealed(box, row.privateJwk, row.kid)) as JWK,
      })),
    );
  }

  private static async from(keys: StoredKey[]): Promise<SigningKeyStore> {
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

async function newKeys(): Promise<StoredKey[]> {
  const { privateKey, publicKey } = await generateKeyPair(GATEWAY_TOKEN_ALG, { extractable: true });
  return [
    {
      kid: randomUUID(),
      createdAt: new Date().toISOString(),
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    },
  ];
}

async function createKeys(file: string): Promise<StoredKey[]> {
  const keys = await newKeys();
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

function openSealed(box: SecretBox, sealed: string, kid: string): string {
  try {
    return box.open(sealed, kid);
  } catch {
    throw new Error(
      `The signing key ${kid} in the database was sealed with another MREG_ENCRYPTION_KEY; every replica must use the same key`,
    );
  }
}
