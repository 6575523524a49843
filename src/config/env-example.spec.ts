import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envVarsOf } from './env-var.decorator.js';
import { GatewayEnv } from './gateway-env.js';

describe('.env.example', () => {
  it('documents every variable the gateway reads', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const missing = envVarsOf(GatewayEnv)
      .map((variable) => variable.name)
      .filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});
