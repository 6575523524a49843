import { ownValue } from './own-value.js';

describe('ownValue', () => {
  it('reads own entries only, so caller-chosen names cannot reach Object.prototype', () => {
    const limits: Record<string, number> = { echo: 2 };
    expect(ownValue(limits, 'echo')).toBe(2);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'missing']) {
      expect(ownValue(limits, name)).toBeUndefined();
    }
    expect(ownValue(undefined, 'echo')).toBeUndefined();
  });
});
