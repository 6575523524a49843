import type { Principal } from '../common/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';
import { OpenStreams } from '../observability/open-streams.js';
import { StreamLimits, tenantStreamsKey } from './stream-limits.js';

const config = { proxy: { maxStreamsPerPrincipal: 3, maxStreamsPerServer: 2 } } as AppConfig;
const alice = { tenantId: 't', oid: 'alice' } as Principal;
const bob = { tenantId: 't', oid: 'bob' } as Principal;

/** The limits' claims, registered as the proxy registers its streams. */
function limited(appConfig: AppConfig) {
  const streams = new OpenStreams();
  const limits = new StreamLimits(appConfig);
  const acquire = (principal: Principal, serverId: string) =>
    streams.open({ claim: limits.claimFor(principal, serverId) }).release;
  return { streams, acquire };
}

describe('StreamLimits', () => {
  it("counts a tenant's open streams, all its users together, without limiting them", () => {
    const { streams, acquire } = limited(config);
    const releases = [acquire(alice, 's1'), acquire(alice, 's2'), acquire(bob, 's1')];
    acquire({ tenantId: 'other', oid: 'alice' } as Principal, 's1');
    expect(streams.countOf(tenantStreamsKey('t'))).toBe(3);
    expect(streams.countOf(tenantStreamsKey('other'))).toBe(1);
    releases.forEach((release) => release());
    expect(streams.countOf(tenantStreamsKey('t'))).toBe(0);
  });

  it('caps open streams per user and server, and frees a slot once per release', () => {
    const { streams, acquire } = limited(config);
    const first = acquire(alice, 's1');
    acquire(alice, 's1');
    expect(() => acquire(alice, 's1')).toThrow(
      expect.objectContaining({
        status: 429,
        code: 'TOO_MANY_STREAMS',
        message: expect.stringContaining('MREG_PROXY_MAX_STREAMS_PER_SERVER'),
      }),
    );
    expect(() => acquire(bob, 's1')).not.toThrow();
    first();
    first();
    acquire(alice, 's1');
    expect(() => acquire(alice, 's1')).toThrow();
    expect(streams.claimed).toBe(3);
  });

  it('caps a user across all servers', () => {
    const { acquire } = limited(config);
    acquire(alice, 's1');
    acquire(alice, 's2');
    acquire(alice, 's3');
    expect(() => acquire(alice, 's4')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL') }),
    );
  });

  it('by default lets one user hold 64 streams to one server and 1,000 in all (an IDE with many servers open)', () => {
    const { config: defaults } = loadConfig({}, { dotenvDir: false });
    expect(defaults.proxy.maxStreamsPerServer).toBeGreaterThanOrEqual(64);
    expect(defaults.proxy.maxStreamsPerPrincipal).toBeGreaterThanOrEqual(1000);
    const { acquire } = limited(defaults);
    for (let server = 0; server < 20; server++) {
      for (let stream = 0; stream < 50; stream++) acquire(alice, `s${server}`);
    }
    for (let stream = 0; stream < 64; stream++) acquire(bob, 'one');
    expect(() => acquire(bob, 'one')).toThrow();
  });
});
