import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../common/crypto/secret-box.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const LOCAL_KEY_FILE = 'upstream-secrets.key';

/** A server's stored secrets are bound to the server: a sealed value copied onto another server's row does not open. */
export function serverSecretBinding(serverId: string): string {
  return `mcp_servers:${serverId}`;
}

/**
 * Seals upstream credentials at rest (and the proxy's session ids). With `MREG_ENCRYPTION_KEY` set, that key is used. On the embedded database
 * (one process, a laptop) a key is generated once into the data directory (mode 0600) so `npm start` can store
 * secrets too; on a shared PostgreSQL without a key, storing a secret is refused, because replicas could not open it.
 */
@Injectable()
export class UpstreamSecrets {
  /** MREG_ENCRYPTION_KEY's box; without it, the data directory's key (made on first use). */
  private readonly configured: SecretBox | undefined;
  private local: SecretBox | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.configured = SecretBox.fromConfig(config) ?? undefined;
  }

  seal(plaintext: string, serverId: string): string {
    return this.requireBox().seal(plaintext, serverSecretBinding(serverId));
  }

  open(sealed: string, serverId: string): string {
    return this.requireBox().open(sealed, serverSecretBinding(serverId));
  }

  /**
   * Seals a short-lived value for another purpose (proxy session ids); `purpose` is bound as associated data. Without
   * MREG_ENCRYPTION_KEY the data directory's key is used on any database: such values are never stored, and without
   * that key the gateway's token signing keys live in the data directory too, so processes that share one already
   * share the other. (The proxy answered every initialize 422 ENCRYPTION_KEY_REQUIRED on PostgreSQL without a key.)
   */
  sealFor(purpose: string, plaintext: string): string {
    return this.ephemeralBox().seal(plaintext, purpose);
  }

  /** Throws when `sealed` was not made by `sealFor` with this purpose and key. */
  openFor(purpose: string, sealed: string): string {
    return this.ephemeralBox().open(sealed, purpose);
  }

  /** A deterministic tag of `data` for `purpose` (task handles), with the same key as `sealFor`. */
  tagFor(purpose: string, data: string): string {
    return this.ephemeralBox().tag(purpose, data);
  }

  verifyTagFor(purpose: string, data: string, tag: string): boolean {
    return this.ephemeralBox().verifyTag(purpose, data, tag);
  }

  private ephemeralBox(): SecretBox {
    return this.configured ?? (this.local ??= new SecretBox(localKey(this.config.dataDir)));
  }

  /** Stored secrets: the configured key, or on the embedded database (one process) the data directory's. */
  private requireBox(): SecretBox {
    if (this.configured || this.config.database.kind === 'embedded') return this.ephemeralBox();
    throw new GatewayException(
      422,
      ErrorCode.ENCRYPTION_KEY_REQUIRED,
      'Storing upstream secrets on a shared database needs MREG_ENCRYPTION_KEY on every replica (32 bytes, e.g. openssl rand -base64 32)',
    );
  }
}

function localKey(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOCAL_KEY_FILE);
  if (!existsSync(file)) {
    // Written whole to a scratch file and linked into place: processes that share the data directory and create the
    // key at once agree on one (the loser's link fails with EEXIST) and none reads a half-written file.
    const scratch = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(scratch, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(scratch, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(scratch);
    }
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
