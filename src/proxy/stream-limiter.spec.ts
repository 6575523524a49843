import type { Principal } from '../common/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';
import { StreamLimiter } from './stream-limiter.js';

const config = { proxy: { maxStreamsPerPrincipal: 3, maxStreamsPerServer: 2 } } as AppConfig;
const alice = { tenantId: 't', oid: 'alice' } as Principal;
const bob = { tenantId: 't', oid: 'bob' } as Principal;

describe('StreamLimiter', () => {
  it('caps open streams per user and server, and frees a slot once per release', () => {
    const sut = new StreamLimiter(config);
    const first = sut.acquire(alice, 's1');
    sut.acquire(alice, 's1');
    expect(() => sut.acquire(alice, 's1')).toThrow(
      expect.objectContaining({
        status: 429,
        code: 'TOO_MANY_STREAMS',
        message: expect.stringContaining('MREG_PROXY_MAX_STREAMS_PER_SERVER'),
      }),
    );
    expect(() => sut.acquire(bob, 's1')).not.toThrow();
    first();
    first();
    sut.acquire(alice, 's1');
    expect(() => sut.acquire(alice, 's1')).toThrow();
    expect(sut.total).toBe(3);
  });

  it('caps a user across all servers', () => {
    const sut = new StreamLimiter(config);
    sut.acquire(alice, 's1');
    sut.acquire(alice, 's2');
    sut.acquire(alice, 's3');
    expect(() => sut.acquire(alice, 's4')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL') }),
    );
  });

  it('by default lets one user hold 64 streams to one server and 1,000 in all (an IDE with many servers open)', () => {
    const { config: defaults } = loadConfig({}, { dotenvDir: false });
    expect(defaults.proxy.maxStreamsPerServer).toBeGreaterThanOrEqual(64);
    expect(defaults.proxy.maxStreamsPerPrincipal).toBeGreaterThanOrEqual(1000);
    const sut = new StreamLimiter(defaults);
    for (let server = 0; server < 20; server++) {
      for (let stream = 0; stream < 50; stream++) sut.acquire(alice, `s${server}`);
    }
    for (let stream = 0; stream < 64; stream++) sut.acquire(bob, 'one');
    expect(() => sut.acquire(bob, 'one')).toThrow();
  });
});
