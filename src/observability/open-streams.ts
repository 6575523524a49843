import { Injectable } from '@nestjs/common';

/**
 * How long a client waits before it reconnects a stream this process closed on shutdown (the SSE `retry` field).
 * Short: the listener is closed by then, so the reconnect reaches another replica at once.
 */
export const RESUME_RETRY_MS = 1_000;

/**
 * A long-lived SSE response this process serves. `listening` streams (a standalone GET) never end on their own;
 * `request` streams carry the answer to a POST and end with it.
 */
export interface OpenStream {
  kind: 'listening' | 'request';
  /** Ends the stream so that the client can resume it elsewhere (last event id, `retry`), then lets it finish. */
  closeResumably(retryMs: number): void;
}

/**
 * The SSE streams open on this process, so that shutdown can end them the way the protocol lets clients resume
 * (a `retry` hint after the last event id, then a clean end of the response) instead of cutting the connection.
 */
@Injectable()
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();
  /** Kinds already closed for shutdown (with the retry hint used): a stream of one opening later is closed at once. */
  private readonly closed = new Map<OpenStream['kind'], number>();

  get size(): number {
    return this.streams.size;
  }

  /** Registers a stream; the returned function forgets it (call it when the response ends). */
  track(stream: OpenStream): () => void {
    const retryMs = this.closed.get(stream.kind);
    if (retryMs !== undefined) {
      // Shutdown already closed its kind (the stream's upstream answered late): it goes the same way, once its
      // opener has finished setting it up.
      setImmediate(() => stream.closeResumably(retryMs));
      return () => undefined;
    }
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /** Closes the streams of one kind (every kind when none is given), now and from now on; returns how many. */
  closeResumably(kind?: OpenStream['kind'], retryMs = RESUME_RETRY_MS): number {
    for (const each of kind ? [kind] : (['listening', 'request'] as const)) this.closed.set(each, retryMs);
    let closed = 0;
    for (const stream of [...this.streams]) {
      if (kind && stream.kind !== kind) continue;
      this.streams.delete(stream);
      closed += 1;
      stream.closeResumably(retryMs);
    }
    return closed;
  }
}
