import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_VERSION } from './version.js';

describe('GATEWAY_VERSION', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(GATEWAY_VERSION).toBe(pkg.version);
  });
});
