import { eventData, eventId, SseEventSplitter, withEventData } from './sse-events.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SSE events', () => {
  it('splits a stream into whole events across chunk boundaries and line endings', () => {
    const sut = new SseEventSplitter(1024);
    expect(sut.push(bytes('event: message\ndata: {"a"'))).toEqual([]);
    expect(sut.push(bytes(':1}\n\nid: 7\r\ndata: x\r\n\r\ndata: y'))).toEqual([
      'event: message\ndata: {"a":1}',
      'id: 7\r\ndata: x',
    ]);
    expect(sut.rest()).toBe('data: y');
  });

  it('finds separators split across chunks at every position, one character at a time', () => {
    const stream = 'data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\r\n';
    const sut = new SseEventSplitter(1024);
    const events = [...stream].flatMap((char) => sut.push(bytes(char)));
    expect(events).toEqual(['data: a', 'data: b', 'data: c', 'data: d']);
    expect(sut.rest()).toBe('');
  });

  it('counts the limit in bytes, not characters', () => {
    const sut = new SseEventSplitter(12);
    // 6 characters, 18 bytes of UTF-8.
    expect(() => sut.push(bytes('data: €€€€€€'))).toThrow('exceeds 12 bytes');
    const fits = new SseEventSplitter(12);
    expect(fits.push(bytes('data: €\n\ndata: ab\n\n'))).toEqual(['data: €', 'data: ab']);
  });

  it('refuses an event larger than the limit', () => {
    const sut = new SseEventSplitter(10);
    expect(() => sut.push(bytes('data: 0123456789abcdef'))).toThrow('exceeds 10 bytes');
  });

  it('reads and replaces the data of an event, keeping its other fields', () => {
    expect(eventData('id: 1\ndata: line one\ndata:line two')).toBe('line one\nline two');
    expect(eventData(': comment only')).toBeUndefined();
    expect(withEventData('event: message\nid: 3\ndata: old', '{"new":true}')).toBe(
      'event: message\nid: 3\ndata: {"new":true}',
    );
  });

  it('reads the id a client would resume from: the last id line, empty allowed, none without one', () => {
    expect(eventId('id: s1_0001\ndata: {}')).toBe('s1_0001');
    expect(eventId('id:a\nid: b\ndata: x')).toBe('b');
    expect(eventId('id:\ndata: x')).toBe('');
    expect(eventId('event: message\ndata: x')).toBeUndefined();
  });
});
