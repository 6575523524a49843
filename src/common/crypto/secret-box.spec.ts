import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const sut = new SecretBox(randomBytes(32).toString('hex'));

  it('round-trips and never stores the plaintext', () => {
    const sealed = sut.seal('refresh-token-value', 'tenant/oid');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('refresh-token-value');
    expect(sut.open(sealed, 'tenant/oid')).toBe('refresh-token-value');
  });

  it('uses a fresh IV every time', () => {
    expect(sut.seal('same')).not.toBe(sut.seal('same'));
  });

  it('refuses tampered ciphertext, other associated data and another key', () => {
    const sealed = sut.seal('secret', 'a');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('xxxxxx').toString('base64url');
    expect(() => sut.open(parts.join('.'), 'a')).toThrow();
    expect(() => sut.open(sealed, 'b')).toThrow();
    expect(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed, 'a')).toThrow();
  });

  it('refuses a truncated authentication tag', () => {
    const parts = sut.seal('secret').split('.');
    parts[2] = Buffer.from(parts[2], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => sut.open(parts.join('.'))).toThrow(/not a sealed value/);
  });

  it('accepts hex and base64 keys of 32 bytes only', () => {
    expect(() => new SecretBox(randomBytes(32).toString('base64'))).not.toThrow();
    expect(() => new SecretBox(randomBytes(16).toString('hex'))).toThrow(/32 bytes/);
  });

  it('opens values sealed with the previous key during a rotation, and seals with the new one only', () => {
    const oldKey = 'a'.repeat(64);
    const newKey = 'b'.repeat(64);
    const sealedBefore = new SecretBox(oldKey).seal('secret', 'ad');
    const rotating = new SecretBox(newKey, [oldKey]);
    expect(rotating.open(sealedBefore, 'ad')).toBe('secret');
    const sealedAfter = rotating.seal('fresh', 'ad');
    expect(new SecretBox(newKey).open(sealedAfter, 'ad')).toBe('fresh');
    expect(() => new SecretBox(oldKey).open(sealedAfter, 'ad')).toThrow();
    expect(() => rotating.open(sealedBefore, 'other')).toThrow();
    expect(SecretBox.fromConfig({})).toBeNull();
  });

  it('keeps opening values of every earlier key listed, so rotations can follow each other', () => {
    const [first, second, third] = ['a', 'b', 'c'].map((c) => c.repeat(64));
    const sealedFirst = new SecretBox(first).seal('one');
    const sealedSecond = new SecretBox(second).seal('two');
    const box = SecretBox.fromConfig({ encryptionKey: third, encryptionKeyPrevious: `${second}, ${first}` })!;
    expect(box.open(sealedFirst)).toBe('one');
    expect(box.open(sealedSecond)).toBe('two');
  });

  it('tags deterministically per purpose, and verifies tags of a key being rotated out', () => {
    const old = new SecretBox('b'.repeat(64));
    const rotated = new SecretBox('c'.repeat(64), ['b'.repeat(64)]);
    const tag = old.tag('p', 'data');
    expect(old.tag('p', 'data')).toBe(tag);
    expect(old.tag('q', 'data')).not.toBe(tag);
    expect(rotated.verifyTag('p', 'data', tag)).toBe(true);
    expect(rotated.verifyTag('p', 'other', tag)).toBe(false);
    expect(rotated.verifyTag('p', 'data', rotated.tag('p', 'data'))).toBe(true);
    expect(new SecretBox('d'.repeat(64)).verifyTag('p', 'data', tag)).toBe(false);
    expect(rotated.verifyTag('p', 'data', 'short')).toBe(false);
  });
});
