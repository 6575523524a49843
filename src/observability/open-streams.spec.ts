import { type OpenStream, OpenStreams, RESUME_RETRY_MS } from './open-streams.js';

const full = (name: string) => () => new Error(`${name} is full`);

describe('OpenStreams', () => {
  const stream = (kind: OpenStream['kind'], closed: number[]) => ({
    kind,
    closeResumably: (retryMs: number) => closed.push(retryMs),
  });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('closes the streams of one kind, each once, with the retry hint, and forgets them', () => {
    const streams = new OpenStreams();
    const listening: number[] = [];
    const requests: number[] = [];
    streams.open({ closable: stream('listening', listening) });
    streams.open({ closable: stream('request', requests) });
    streams.open({ closable: stream('listening', listening) });

    expect(streams.closeResumably('listening')).toBe(2);
    expect(listening).toEqual([RESUME_RETRY_MS, RESUME_RETRY_MS]);
    expect(requests).toEqual([]);
    expect(streams.closeResumably('listening')).toBe(0);
    expect(streams.closeResumably(undefined, 250)).toBe(1);
    expect(requests).toEqual([250]);
    expect(streams.size).toBe(0);
  });

  it('does not close a stream that ended and released itself', () => {
    const streams = new OpenStreams();
    const closed: number[] = [];
    streams.open({ closable: stream('request', closed) }).release();
    expect(streams.closeResumably()).toBe(0);
    expect(closed).toEqual([]);
  });

  it('closes a stream that opens after its kind was closed for shutdown, once its opener is done', async () => {
    const streams = new OpenStreams();
    streams.closeResumably('listening', 500);
    const late: number[] = [];
    const registered = streams.open({ closable: stream('listening', late) });
    expect(late).toEqual([]);
    await nextTurn();
    expect(late).toEqual([500]);
    registered.release();
    const request: number[] = [];
    streams.open({ closable: stream('request', request) });
    await nextTurn();
    expect(request).toEqual([]);
    expect(streams.size).toBe(1);
  });

  it('counts a claim under every key or refuses it whole, and frees it on the one release', () => {
    const streams = new OpenStreams();
    const claim = (server: string) => [
      { key: `alice/${server}`, limit: 1, refusal: full('server') },
      { key: 'alice', limit: 2, refusal: full('user') },
    ];
    const first = streams.open({ claim: claim('s1'), closable: stream('listening', []) });
    expect(() => streams.open({ claim: claim('s1') })).toThrow('server is full');
    streams.open({ claim: claim('s2') });
    expect(() => streams.open({ claim: claim('s3') })).toThrow('user is full');
    // Refused registrations count nowhere; streams without a claim (the SDK-served POSTs) are not callers' streams.
    streams.open({ closable: stream('request', []) });
    expect(streams.claimed).toBe(2);

    first.release();
    first.release();
    expect(streams.claimed).toBe(1);
    expect(streams.size).toBe(1);
    expect(() => streams.open({ claim: claim('s1') })).not.toThrow();
    expect(() => streams.open({ claim: claim('s1') })).toThrow('server is full');
  });

  it('keeps a shutdown-closed stream counted until it is released, and never closes it twice', () => {
    const streams = new OpenStreams();
    const closed: number[] = [];
    const registered = streams.open({ claim: [{ key: 'alice' }], closable: stream('listening', closed) });
    expect(streams.closeResumably('listening')).toBe(1);
    expect(streams.closeResumably()).toBe(0);
    expect(closed).toEqual([RESUME_RETRY_MS]);
    // The response is still ending (its `retry` hint, then the end): its slot is freed when it has.
    expect(streams.claimed).toBe(1);
    registered.release();
    expect(streams.claimed).toBe(0);
  });

  it('learns how to close a stream registered before that was known, even after shutdown began', async () => {
    const streams = new OpenStreams();
    // A GET claims its slot before the upstream answers; shutdown passes it by until the relay says how to close it.
    const early = streams.open({ claim: [{ key: 'alice' }] });
    const late = streams.open({ claim: [{ key: 'alice' }] });
    expect(streams.closeResumably('listening', 300)).toBe(0);
    const closed: number[] = [];
    early.closableAs(stream('listening', closed));
    early.closableAs(stream('listening', closed));
    await nextTurn();
    expect(closed).toEqual([300]);
    // One that ended before its turn came is left alone.
    const notClosed: number[] = [];
    late.closableAs(stream('listening', notClosed));
    late.release();
    await nextTurn();
    expect(notClosed).toEqual([]);
    early.release();
    expect(streams.claimed).toBe(0);
  });
});
