import type { Principal } from '../auth/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { StreamLimiter } from './stream-limiter.js';

const config = { proxy: { maxStreamsPerPrincipal: 2 } } as AppConfig;
const alice = { tenantId: 't', oid: 'alice' } as Principal;
const bob = { tenantId: 't', oid: 'bob' } as Principal;

describe('StreamLimiter', () => {
  it('caps open streams per user and frees a slot once per release', () => {
    const sut = new StreamLimiter(config);
    const first = sut.acquire(alice);
    sut.acquire(alice);
    expect(() => sut.acquire(alice)).toThrow(
      expect.objectContaining({ status: 429, code: 'TOO_MANY_STREAMS' }),
    );
    expect(() => sut.acquire(bob)).not.toThrow();
    first();
    first();
    sut.acquire(alice);
    expect(() => sut.acquire(alice)).toThrow();
  });
});
