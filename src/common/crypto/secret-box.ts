import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest (upstream tokens, signing keys, upstream credentials). Output is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; the version prefix leaves room for key rotation.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** Keys being rotated out: tried when opening, never used to seal. */
  private readonly previous: Buffer[];
  /** The tag keys derived from the key and the previous ones, once (a tag is made on every named task). */
  private readonly tagKeys: Buffer[];

  constructor(encodedKey: string, previousKeys: readonly string[] = []) {
    this.key = decodeKey(encodedKey);
    this.previous = previousKeys.map(decodeKey);
    this.tagKeys = [this.key, ...this.previous].map(tagKeyOf);
  }

  /** A box from the configuration: the current key, and every earlier one values may still be sealed with. */
  static fromConfig(config: { encryptionKey?: string; encryptionKeyPrevious?: string }): SecretBox | null {
    if (!config.encryptionKey) return null;
    const previous = (config.encryptionKeyPrevious ?? '').split(',').map((key) => key.trim());
    return new SecretBox(
      config.encryptionKey,
      previous.filter((key) => key !== ''),
    );
  }

  seal(plaintext: string, associatedData = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was not sealed with one of the keys and this associated data (tampered, or unknown key). */
  open(sealed: string, associatedData = ''): string {
    try {
      return this.openWith(this.key, sealed, associatedData);
    } catch (error) {
      for (const key of this.previous) {
        try {
          return this.openWith(key, sealed, associatedData);
        } catch {
          // try the next key
        }
      }
      throw error;
    }
  }

  /**
   * A deterministic tag binding `data` to `purpose` (HMAC-SHA256 under a key derived from the box's key, cut to 128
   * bits): for values that must stay the same each time they are issued, which a sealed value (random IV) does not.
   */
  tag(purpose: string, data: string): string {
    return tagWith(this.tagKeys[0], purpose, data);
  }

  /** Whether `tag` is `tag(purpose, data)` under the key or one being rotated out. */
  verifyTag(purpose: string, data: string, tag: string): boolean {
    const given = Buffer.from(tag, 'base64url');
    return this.tagKeys.some((tagKey) => {
      const expected = Buffer.from(tagWith(tagKey, purpose, data), 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  private openWith(key: Buffer, sealed: string, associatedData: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed value');
    const authTag = Buffer.from(tag, 'base64url');
    // A truncated tag would weaken the integrity check; only full 16-byte tags are accepted.
    if (authTag.length !== TAG_BYTES) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

const TAG_LENGTH_BYTES = 16;

/** A key of its own for tags, so a tag can never be mistaken for anything the cipher key produces. */
function tagKeyOf(key: Buffer): Buffer {
  return createHmac('sha256', key).update('secret-box:tag:v1').digest();
}

function tagWith(tagKey: Buffer, purpose: string, data: string): string {
  return createHmac('sha256', tagKey)
    .update(`${purpose}\n${data}`)
    .digest()
    .subarray(0, TAG_LENGTH_BYTES)
    .toString('base64url');
}

function decodeKey(encodedKey: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(encodedKey)
    ? Buffer.from(encodedKey, 'hex')
    : Buffer.from(encodedKey, 'base64');
  if (key.length !== 32) throw new Error('MREG_ENCRYPTION_KEY must decode to 32 bytes');
  return key;
}
