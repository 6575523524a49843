/** One server-sent event as a client parses it (fields joined per the SSE rules this suite needs). */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/**
 * Reads an SSE body event by event (comments and keep-alives skipped): `next()` gives the next event, or undefined
 * once the server ended the stream cleanly; `messages()`-style helpers build on it.
 */
export function sseEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const parse = (block: string): SseEvent | undefined => {
    const event: SseEvent = { data: '' };
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields++;
      if (name === 'data') data.push(value);
      else if (name === 'id') event.id = value;
      else if (name === 'event') event.event = value;
      else if (name === 'retry') event.retry = Number(value);
    }
    event.data = data.join('\n');
    return fields > 0 ? event : undefined;
  };
  return {
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const event = parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event) return event;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += value;
      }
    },
    /** The next event that carries a JSON-RPC message, parsed; throws if the stream ends first. */
    async nextMessage(): Promise<unknown> {
      for (;;) {
        const event = await this.next();
        if (!event) throw new Error('stream ended');
        if (event.data) return JSON.parse(event.data);
      }
    },
    /** Every event until the server ends the stream. */
    async rest(): Promise<SseEvent[]> {
      const events: SseEvent[] = [];
      for (let event = await this.next(); event; event = await this.next()) events.push(event);
      return events;
    },
    close: () => reader.cancel(),
  };
}
