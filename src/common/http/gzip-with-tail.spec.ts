import { gunzipSync } from 'node:zlib';
import { acceptsGzip, GzipWithTail } from './gzip-with-tail.js';

describe('gzip with a per-answer tail', () => {
  it('decodes to the body followed by each tail, with a valid trailer', () => {
    const body = Buffer.from(
      JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => ({ i })) }).repeat(3),
    );
    const gzip = new GzipWithTail(body);
    for (const tail of ['1}', '"x"}', '', `"${'y'.repeat(65_000)}"}`]) {
      // gunzipSync checks the CRC-32 and the length in the trailer.
      expect(gunzipSync(gzip.with(Buffer.from(tail))).toString()).toBe(body.toString() + tail);
    }
  });

  it('refuses a tail longer than one stored block', () => {
    expect(() => new GzipWithTail(Buffer.from('{}')).with(Buffer.alloc(65_536))).toThrow(RangeError);
  });

  it('reads Accept-Encoding as HTTP does', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('GZIP')).toBe(true);
  });
});
