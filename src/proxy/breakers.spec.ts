import type { AppConfig } from '../config/app-config.js';
import { UpstreamBreakers, UpstreamFailure } from './breakers.js';
import { ProxyError } from './proxy.errors.js';

const RESET_MS = 100;
const config = {
  proxy: { breakerFailures: 3, breakerResetMs: RESET_MS, breakerSuccesses: 3 },
} as AppConfig;
const URL = 'https://upstream.example/mcp';

const ok = () => Promise.resolve('ok');
const down = () => Promise.reject(new Error('ECONNREFUSED'));
const fiveHundred = () => Promise.reject(new UpstreamFailure({ status: 500 }));
const refused = () => Promise.reject(new ProxyError(403, 'TOOL_NOT_ALLOWED' as never, 'no'));
const cancelled = () => Promise.reject(new ProxyError(499, 'CLIENT_CLOSED' as never, 'client went away'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UpstreamBreakers', () => {
  let sut: UpstreamBreakers;
  beforeEach(() => (sut = new UpstreamBreakers(config)));
  afterEach(() => sut.shutdown());

  const failTimes = async (n: number, work: () => Promise<unknown> = down) => {
    for (let i = 0; i < n; i++) await sut.run(URL, work).catch(() => undefined);
  };

  it('opens after N failures within the window however many calls succeeded between them', async () => {
    for (let i = 0; i < 10; i++) await sut.run(URL, ok);
    await failTimes(2);
    await sut.run(URL, ok);
    expect(sut.state(URL)).toBe('closed');
    await failTimes(1, fiveHundred);
    expect(sut.state(URL)).toBe('open');
    await expect(sut.run(URL, ok)).rejects.toMatchObject({ status: 503, code: 'UPSTREAM_CIRCUIT_OPEN' });
  });

  it('relays an upstream 5xx as the answer while counting it as a failure', async () => {
    await expect(sut.run(URL, fiveHundred)).resolves.toEqual({ status: 500 });
  });

  it('does not count refusals the caller caused', async () => {
    await failTimes(5, refused);
    expect(sut.state(URL)).toBe('closed');
  });

  it('counts a cancelled call neither as a failure nor, for a probe, as the success that closes the breaker', async () => {
    await failTimes(5, cancelled);
    expect(sut.state(URL)).toBe('closed');
    await failTimes(3);
    await sleep(RESET_MS + 30);
    await failTimes(1, cancelled);
    expect(sut.state(URL)).toBe('open');
  });

  it('closes only after the configured successes in a row after the probe', async () => {
    await failTimes(3);
    await sleep(RESET_MS + 30);
    expect(sut.state(URL)).toBe('half_open');
    await sut.run(URL, ok);
    await sut.run(URL, ok);
    expect(sut.state(URL)).toBe('half_open');
    await sut.run(URL, ok);
    expect(sut.state(URL)).toBe('closed');
  });

  it('re-opens at the first failure on probation', async () => {
    await failTimes(3);
    await sleep(RESET_MS + 30);
    await sut.run(URL, ok);
    await failTimes(1);
    expect(sut.state(URL)).toBe('open');
  });

  it('forgets endpoints no server uses any more', async () => {
    await failTimes(3);
    sut.retainOnly(new Set(['https://other.example/mcp']));
    expect(sut.state(URL)).toBe('closed');
  });
});
