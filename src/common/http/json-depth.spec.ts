import { deeperThan } from './json-depth.js';

describe('deeperThan', () => {
  const nested = (levels: number): object => {
    let value: object = {};
    for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('measures objects and arrays alike, and far deeper than the stack would allow', () => {
    expect(deeperThan(nested(64), 64)).toBe(false);
    expect(deeperThan(nested(65), 64)).toBe(true);
    expect(deeperThan({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false);
    expect(deeperThan(nested(200_000), 64)).toBe(true);
  });
});
