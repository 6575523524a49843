/**
 * A bound on the bytes read from an untrusted peer, counted while reading: the response that crosses it is cut there
 * (its stream errors and the socket is released), and `signal` aborts whatever waits on the exchange at once
 * instead of at its deadline. `perEvent` counts an event stream's bytes since the last event boundary instead of
 * in all, so a long-lived stream is bounded per event (a boundary split across two chunks is missed and the count
 * runs on: erring towards refusing).
 */
export class ByteBudget {
  private used = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly limit: number,
    /** The error a caller hears once the limit is crossed; `how`: whether the bytes were sent or only announced. */
    private readonly tooMuch: (limit: number, how: 'sent' | 'announced') => Error,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get exceeded(): Error | undefined {
    return this.abort.signal.aborted ? (this.abort.signal.reason as Error) : undefined;
  }

  /** Throws once the budget is spent. */
  check(): void {
    const exceeded = this.exceeded;
    if (exceeded) throw exceeded;
  }

  /** The same response, with a body that counts against the budget and errors when it runs out. */
  meter(response: Response, options: { perEvent?: boolean } = {}): Response {
    // A body announced larger than what is left is refused before a byte of it is read.
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && this.used + declared > this.limit) this.spend(declared, 'announced');
    const exceeded = this.exceeded;
    if (exceeded) {
      void response.body?.cancel().catch(() => undefined);
      throw exceeded;
    }
    if (!response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          const last = options.perEvent ? endOfEvent(chunk, 'last') : -1;
          if (last < 0) this.spend(chunk.byteLength, 'sent');
          else {
            // The event this chunk ends counts in full, events wholly inside it are no larger than the chunk (a
            // socket read), and a new count starts after the last one.
            this.spend(endOfEvent(chunk, 'first'), 'sent');
            if (!this.exceeded) this.used = 0;
            this.spend(chunk.byteLength - last, 'sent');
          }
          const spent = this.exceeded;
          if (spent) controller.error(spent);
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  private spend(bytes: number, how: 'sent' | 'announced'): void {
    this.used += bytes;
    if (this.used > this.limit && !this.exceeded) this.abort.abort(this.tooMuch(this.limit, how));
  }
}

const LF = 0x0a;

/**
 * The offset just past the chunk's first or last blank line (an event's end: `\n\n`, or `\r\n\r\n` whose last three
 * bytes are `\n\r\n`), or -1 when the chunk holds none.
 */
function endOfEvent(chunk: Uint8Array, which: 'first' | 'last'): number {
  const ends = (index: number) =>
    chunk[index] === LF && (chunk[index - 1] === LF || (index > 1 && chunk[index - 2] === LF));
  if (which === 'first') {
    for (let index = 1; index < chunk.length; index++) if (ends(index)) return index + 1;
  } else {
    for (let index = chunk.length - 1; index > 0; index--) if (ends(index)) return index + 1;
  }
  return -1;
}
