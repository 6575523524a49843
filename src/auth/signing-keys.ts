import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../common/crypto/secret-box.js';
import { withFileLock } from '../common/file-lock.js';
import { resealValue, type SecretResealer } from '../database/reseal.js';
import { OAuthSigningKeyEntity } from './oauth/oauth.entities.js';

/** Advisory-lock key ('MRSK') serialising the creation of the first shared signing key and retirements. */
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

/** A key's id and when it signs from (`createdAt`: a rotated key's lies in the future). */
export interface KeyActivation {
  kid: string;
  createdAt: string;
}

/**
 * The key that signs at `now`: the newest whose time has come (on a tie, the one listed first), or the newest of all
 * while none has. Every replica and `keys retire` use this one rule, so they agree on which key is current.
 */
export function signingKeyAt<T extends KeyActivation>(keys: readonly T[], now: Date): T {
  const due = keys.filter((key) => key.createdAt <= now.toISOString());
  const pool = due.length > 0 ? due : keys;
  return pool.reduce((a, b) => (a.createdAt >= b.createdAt ? a : b));
}

/**
 * ES256 keys that sign gateway-issued tokens. In local identity mode they live in a file in the data directory
 * (mode 0600), so `mcp-gateway token` and a running gateway share them (the embedded database is locked by the
 * running process). In Entra mode they live in PostgreSQL, shared by every replica.
 *
 * Rotation without downtime: `mcp-gateway keys rotate` adds a key whose `createdAt` lies in the future. Every replica
 * reloads its keys each minute ({@link refresh}), so the new key is published (and verifies) everywhere before any
 * replica signs with it; from its `createdAt` on, the newest key already in effect signs, and all keys verify.
 */
export class SigningKeyStore {
  private keys: StoredKey[] = [];
  private current!: SigningKey;
  /** Moves whenever the set of keys or the signing key changes (verifiers rebuild their key set then). */
  version = 0;

  private constructor(private readonly load: () => Promise<StoredKey[]>) {}

  static fileFor(dataDir: string): string {
    return join(dataDir, 'keys', 'gateway-signing-keys.json');
  }

  /** Loads the key file, creating it with a fresh key pair if it does not exist yet. */
  static async open(file: string): Promise<SigningKeyStore> {
    const store = new SigningKeyStore(async () => (await readKeys(file)) ?? (await createKeys(file)));
    await store.refresh();
    return store;
  }

  /**
   * Entra mode: keys shared by every replica through PostgreSQL, private halves sealed with MREG_ENCRYPTION_KEY.
   * The first replica to start creates the key under a transaction-scoped advisory lock; the others load it.
   */
  static async openInDatabase(dataSource: DataSource, box: SecretBox): Promise<SigningKeyStore> {
    let created = false;
    const store = new SigningKeyStore(async () => {
      // After the first load a key certainly exists: the minutely reload is a plain read, not the locked bootstrap.
      const rows = created
        ? await dataSource.getRepository(OAuthSigningKeyEntity).find({ order: { kid: 'ASC' } })
        : await dataSource.transaction(async (manager) => {
            await manager.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
            const repository = manager.getRepository(OAuthSigningKeyEntity);
            const existing = await repository.find({ order: { kid: 'ASC' } });
            if (existing.length > 0) return existing;
            await insertKey(manager, box, (await newKeys(new Date()))[0]);
            return repository.find({ order: { kid: 'ASC' } });
          });
      created = true;
      return rows.map((row) => ({
        kid: row.kid,
        createdAt: row.createdAt.toISOString(),
        publicJwk: row.publicJwk,
        privateJwk: JSON.parse(openSealed(box, row.privateJwk, row.kid)) as JWK,
      }));
    });
    await store.refresh();
    return store;
  }

  /** Adds a key to the file that starts signing at `activeFrom` (it verifies as soon as gateways reload). */
  static async rotateFile(file: string, activeFrom: Date): Promise<string> {
    const [key] = await newKeys(activeFrom);
    // The lock serialises the commands that change the file (rotate, retire), so none writes over another's change.
    await withFileLock(file, async () => {
      const keys = (await readKeys(file)) ?? (await createKeys(file));
      await writeKeys(file, [...keys, key]);
    });
    return key.kid;
  }

  /**
   * Removes the keys `choose` picks (it may throw to refuse) from the file, under the lock rotations take, so the
   * choice is made on the keys as they are when they are written. Returns the removed keys.
   */
  static async retireFromFile(
    file: string,
    choose: (keys: KeyActivation[]) => string[],
  ): Promise<KeyActivation[]> {
    return withFileLock(file, async () => {
      const keys = (await readKeys(file)) ?? (await createKeys(file));
      const chosen = new Set(keepOne(keys, choose(keys.map(({ kid, createdAt }) => ({ kid, createdAt })))));
      const retired = keys.filter((key) => chosen.has(key.kid));
      if (retired.length > 0)
        await writeKeys(
          file,
          keys.filter((key) => !chosen.has(key.kid)),
        );
      return retired.map(({ kid, createdAt }) => ({ kid, createdAt }));
    });
  }

  /** Adds a shared key in PostgreSQL that starts signing at `activeFrom`. */
  static async rotateInDatabase(dataSource: DataSource, box: SecretBox, activeFrom: Date): Promise<string> {
    const [key] = await newKeys(activeFrom);
    await dataSource.transaction((manager) => insertKey(manager, box, key));
    return key.kid;
  }

  /**
   * Like retireFromFile, for the shared keys: under the advisory lock that also guards the first key's creation,
   * so concurrent retirements decide one after the other on what is really stored. Rows come in the order replicas
   * load them (by kid), so ties between activation times resolve as they do on every replica.
   */
  static async retireInDatabase(
    dataSource: DataSource,
    choose: (keys: KeyActivation[]) => string[],
  ): Promise<KeyActivation[]> {
    return dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
      const rows = await manager
        .getRepository(OAuthSigningKeyEntity)
        .find({ select: { kid: true, createdAt: true }, order: { kid: 'ASC' } });
      const keys = rows.map((row) => ({ kid: row.kid, createdAt: row.createdAt.toISOString() }));
      const chosen = keepOne(keys, choose(keys));
      if (chosen.length === 0) return [];
      await manager.query('DELETE FROM oauth_signing_keys WHERE kid = ANY($1)', [chosen]);
      return keys.filter((key) => chosen.includes(key.kid));
    });
  }

  /**
   * Re-reads the keys and picks the signing one for `now`. The set is replaced, not merged: a retired key stops
   * being published and verifying here at the next reload.
   */
  async refresh(now = new Date()): Promise<void> {
    const keys = await this.load();
    if (keys.length === 0) throw new Error('no signing keys');
    const newest = signingKeyAt(keys, now);
    const changed =
      newest.kid !== this.current?.kid ||
      keys.map((key) => key.kid).join() !== this.keys.map((key) => key.kid).join();
    if (!changed) return;
    const privateKey = (await importJWK(newest.privateJwk, GATEWAY_TOKEN_ALG)) as CryptoKey;
    this.keys = keys;
    this.current = { kid: newest.kid, privateKey };
    this.version += 1;
  }

  get signingKey(): SigningKey {
    return this.current;
  }

  hasKey(kid: string): boolean {
    return this.keys.some((key) => key.kid === kid);
  }

  /** Every key with the time it signs from (for `mcp-gateway keys list`). */
  describe(): { kid: string; activeFrom: string; signing: boolean }[] {
    return this.keys.map((key) => ({
      kid: key.kid,
      activeFrom: key.createdAt,
      signing: key.kid === this.current.kid,
    }));
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

/** A last guard below the retirement rule: a store without keys could sign nothing, and verify nothing. */
function keepOne(keys: readonly KeyActivation[], chosen: string[]): string[] {
  if (keys.every((key) => chosen.includes(key.kid))) throw new Error('Refusing to retire every signing key');
  return chosen;
}

async function writeKeys(file: string, keys: StoredKey[]): Promise<void> {
  // Written aside and renamed: a reader (a gateway's reload, `mcp-gateway token`) sees the old file or the new one.
  await writeFile(`${file}.tmp`, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function newKeys(activeFrom: Date): Promise<StoredKey[]> {
  const { privateKey, publicKey } = await generateKeyPair(GATEWAY_TOKEN_ALG, { extractable: true });
  return [
    {
      kid: randomUUID(),
      createdAt: activeFrom.toISOString(),
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    },
  ];
}

async function createKeys(file: string): Promise<StoredKey[]> {
  const keys = await newKeys(new Date());
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

/** `created_at` is when a key starts signing: a rotated key's lies in the future. */
async function insertKey(manager: EntityManager, box: SecretBox, key: StoredKey): Promise<void> {
  await manager.query(
    'INSERT INTO oauth_signing_keys (kid, public_jwk, private_jwk, created_at) VALUES ($1, $2::jsonb, $3, $4)',
    [
      key.kid,
      JSON.stringify(key.publicJwk),
      box.seal(JSON.stringify(key.privateJwk), key.kid),
      key.createdAt,
    ],
  );
}

/** `keys reseal`'s step for the shared keys: each private half is bound to its kid, as {@link insertKey} seals it. */
export const signingKeyResealer: SecretResealer = {
  name: 'signingKeys',
  what: 'signing keys',
  async reseal(manager, box) {
    const repository = manager.getRepository(OAuthSigningKeyEntity);
    const rows = await repository.find({ lock: { mode: 'pessimistic_write' } });
    for (const { kid, privateJwk } of rows) {
      await repository.update(
        { kid },
        { privateJwk: resealValue(box, privateJwk, kid, `Signing key ${kid}`) },
      );
    }
    return rows.length;
  },
};

function openSealed(box: SecretBox, sealed: string, kid: string): string {
  try {
    return box.open(sealed, kid);
  } catch {
    throw new Error(
      `The signing key ${kid} in the database was sealed with another MREG_ENCRYPTION_KEY; every replica must use the same key`,
    );
  }
}
