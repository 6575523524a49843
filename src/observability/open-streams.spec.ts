import { type OpenStream, OpenStreams, RESUME_RETRY_MS } from './open-streams.js';

describe('OpenStreams', () => {
  const stream = (kind: OpenStream['kind'], closed: number[]) => ({
    kind,
    closeResumably: (retryMs: number) => closed.push(retryMs),
  });

  it('closes the streams of one kind, each once, with the retry hint, and forgets them', () => {
    const streams = new OpenStreams();
    const listening: number[] = [];
    const requests: number[] = [];
    streams.track(stream('listening', listening));
    streams.track(stream('request', requests));
    streams.track(stream('listening', listening));

    expect(streams.closeResumably('listening')).toBe(2);
    expect(listening).toEqual([RESUME_RETRY_MS, RESUME_RETRY_MS]);
    expect(requests).toEqual([]);
    expect(streams.closeResumably('listening')).toBe(0);
    expect(streams.closeResumably(undefined, 250)).toBe(1);
    expect(requests).toEqual([250]);
    expect(streams.size).toBe(0);
  });

  it('does not close a stream that ended and untracked itself', () => {
    const streams = new OpenStreams();
    const closed: number[] = [];
    const untrack = streams.track(stream('request', closed));
    untrack();
    expect(streams.closeResumably()).toBe(0);
    expect(closed).toEqual([]);
  });

  it('closes a stream that opens after its kind was closed for shutdown, once its opener is done', async () => {
    const streams = new OpenStreams();
    streams.closeResumably('listening', 500);
    const late: number[] = [];
    const untrack = streams.track(stream('listening', late));
    expect(late).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toEqual([500]);
    untrack();
    const request: number[] = [];
    streams.track(stream('request', request));
    await new Promise((resolve) => setImmediate(resolve));
    expect(request).toEqual([]);
    expect(streams.size).toBe(1);
  });
});
