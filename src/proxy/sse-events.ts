/**
 * Splits a text/event-stream into whole events (the text between blank lines) so the proxy can relay them one by
 * one, rewriting the few it must (filtered `tools/list` results) and passing every other byte through unchanged.
 */
const EVENT_SEPARATOR = /\r?\n\r?\n|\r\r/g;

export class SseEventSplitter {
  private buffer = '';
  /** Bytes received and not yet returned as events: what the limit is about (the text's length counts characters). */
  private bufferedBytes = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly maxEventBytes: number) {}

  /** Whole events completed by this chunk. Throws when one event grows past the limit. */
  push(chunk: Uint8Array): string[] {
    // Only the new text (and the 3 characters before it, where a separator may have started) is searched, so a large
    // event arriving in many small chunks costs linear, not quadratic, time.
    let from = Math.max(0, this.buffer.length - 3);
    this.buffer += this.decoder.decode(chunk, { stream: true });
    this.bufferedBytes += chunk.byteLength;
    const events: string[] = [];
    for (;;) {
      EVENT_SEPARATOR.lastIndex = from;
      const match = EVENT_SEPARATOR.exec(this.buffer);
      if (!match) break;
      const event = this.buffer.slice(0, match.index);
      events.push(event);
      // Each event's bytes are counted once, as it leaves: linear in the stream, however it was chunked.
      this.bufferedBytes -= Buffer.byteLength(event) + match[0].length;
      this.buffer = this.buffer.slice(match.index + match[0].length);
      from = 0;
    }
    if (this.bufferedBytes > this.maxEventBytes)
      throw new Error(`an upstream event exceeds ${this.maxEventBytes} bytes`);
    return events;
  }

  /** What is left when the stream ends (an unterminated last event). */
  rest(): string {
    return this.buffer + this.decoder.decode();
  }
}

/** The `data` of an event (its data lines joined), or undefined when it has none. */
export function eventData(event: string): string | undefined {
  const lines = event.split(/\r?\n|\r/).filter((line) => line.startsWith('data:'));
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n');
}

/** The `id` of an event (its last id line), or undefined when it has none: what a client resumes from. */
export function eventId(event: string): string | undefined {
  let id: string | undefined;
  for (const line of event.split(/\r?\n|\r/)) {
    if (line.startsWith('id:')) id = line.slice(line.startsWith('id: ') ? 4 : 3);
  }
  return id;
}

/** The event with its data replaced by `data` (other fields such as `id:` and `event:` kept). */
export function withEventData(event: string, data: string): string {
  const kept = event.split(/\r?\n|\r/).filter((line) => !line.startsWith('data:'));
  return [...kept, ...data.split('\n').map((line) => `data: ${line}`)].join('\n');
}
