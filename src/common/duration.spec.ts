import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['30m', 1800],
    ['8h', 28800],
    ['7d', 604800],
    [' 2H ', 7200],
  ])('%j -> %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'h', '1.5h', '-1h', '1w', '1h30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
