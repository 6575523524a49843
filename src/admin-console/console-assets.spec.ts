import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets.js';

/** A checkout-like tree: `<root>/dist/console` holds a build, `<root>/src/admin-console` is where the code runs. */
function checkoutWithBuild(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mreg-console-'));
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(root, 'dist/console', path);
    mkdirSync(join(absolute, '..'), { recursive: true });
    writeFileSync(absolute, content);
  }
  mkdirSync(join(root, 'src/admin-console'), { recursive: true });
  return root;
}

describe('ConsoleAssets', () => {
  const root = checkoutWithBuild({
    'index.html': '<!doctype html>',
    'assets/index-BbRluUcX.css': 'body{}',
    'assets/index-m1OEuogw.js': 'export {}',
    'favicon.svg': '<svg/>',
    'notes.md': 'not served',
  });

  it('finds the build from the sources (Jest) and from the compiled layout (dist/src/admin-console)', () => {
    expect(ConsoleAssets.load(join(root, 'src/admin-console')).built).toBe(true);
    expect(ConsoleAssets.load(join(root, 'dist/src/admin-console')).built).toBe(true);
  });

  it('marks only hashed assets immutable and types every file', () => {
    const sut = ConsoleAssets.load(join(root, 'src/admin-console'));
    expect(sut.file('assets/index-m1OEuogw.js')).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(sut.file('assets/index-BbRluUcX.css')?.immutable).toBe(true);
    expect(sut.index()).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    expect(sut.file('favicon.svg')?.immutable).toBe(false);
  });

  it('serves only the files of the build: no unknown types, no path outside it', () => {
    const sut = ConsoleAssets.load(join(root, 'src/admin-console'));
    expect(sut.file('notes.md')).toBeUndefined();
    for (const path of [
      '../package.json',
      'assets/../index.html',
      '/etc/passwd',
      'assets\\index-m1OEuogw.js',
    ]) {
      expect([path, sut.file(path)]).toEqual([path, undefined]);
    }
  });

  it('reports a gateway without a console build as such', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mreg-console-'));
    const sut = ConsoleAssets.load(join(empty, 'src/admin-console'));
    expect(sut.built).toBe(false);
    expect(sut.index()).toBeUndefined();
  });
});
