import { unstorableAt } from './text-hygiene.js';

describe('unstorableAt', () => {
  it('finds NUL and unpaired surrogates in nested strings and keys, and names where', () => {
    expect(unstorableAt({ a: 'ok', b: [{ c: 'x\u0000' }] }, 'body')).toBe('body.b.0.c');
    expect(unstorableAt({ 'k\ud800': 1 }, 'body')).toBe('body');
    expect(unstorableAt('\udc00 alone', 'query')).toBe('query');
  });

  it('passes valid text, surrogate pairs included', () => {
    expect(unstorableAt({ name: 'emoji 😀', list: ['a', 1, null, true] }, 'body')).toBeUndefined();
    expect(unstorableAt(Buffer.from([0, 1, 2]), 'body')).toBeUndefined();
  });
});
