import { Injectable } from '@nestjs/common';
import { SlotCounts, type SlotLimit } from '../common/slot-counts.js';

/**
 * How long a client waits before it reconnects a stream this process closed on shutdown (the SSE `retry` field).
 * Short: the listener is closed by then, so the reconnect reaches another replica at once.
 */
export const RESUME_RETRY_MS = 1_000;

/**
 * How shutdown ends a long-lived SSE response this process serves. `listening` streams (a standalone GET) never end on
 * their own; `request` streams carry the answer to a POST and end with it.
 */
export interface OpenStream {
  kind: 'listening' | 'request';
  /** Ends the stream so that the client can resume it elsewhere (last event id, `retry`), then lets it finish. */
  closeResumably(retryMs: number): void;
}

/**
 * What a stream registers: how shutdown closes it, and, when it is a caller's, the limits it counts against (the
 * caller's keys with their caps; a full one refuses the stream). Either may be absent: the SDK-served POSTs count
 * against no limit, and a GET claims its slot before its upstream answers, when there is nothing to close yet.
 */
export interface StreamRegistration {
  closable?: OpenStream;
  claim?: readonly SlotLimit[];
}

/** A stream in the register. Whoever opened it releases it when the response ends, on every path. */
export interface RegisteredStream {
  /** Says how shutdown closes the stream, when that was not known at registration. Only the first call counts. */
  closableAs(stream: OpenStream): void;
  /**
   * Takes the stream out of the register: its limit slots are freed and shutdown passes it by. Once; then a no-op.
   * A function, not a method: it is handed to the response's 'close' as it is.
   */
  readonly release: () => void;
}

/**
 * The one register of the streams open on this process. It answers three questions from the same entries: may a
 * caller open one more (the limits of its claim, all or nothing), how many callers' streams are open (a metric), and
 * which streams shutdown must end, the way the protocol lets clients resume (a `retry` hint after the last event
 * id, then a clean end of the response) instead of cutting the connection.
 */
@Injectable()
export class OpenStreams {
  private readonly slots = new SlotCounts();
  /** Streams that shutdown would close now. */
  private readonly closable = new Set<OpenStream>();
  /** Kinds already closed for shutdown (with the retry hint used): a stream of one opening later is closed at once. */
  private readonly closed = new Map<OpenStream['kind'], number>();
  private claims = 0;

  /** Streams that shutdown would close now. */
  get size(): number {
    return this.closable.size;
  }

  /** Streams open with a claim, all callers together (the open-streams metric). */
  get claimed(): number {
    return this.claims;
  }

  /** Streams open under one key of their claims (a caller's, a tenant's: `StreamLimits` names them). */
  countOf(key: string): number {
    return this.slots.count(key);
  }

  /**
   * Registers a stream, or throws the refusal of the first full limit of its claim (then nothing is registered). The
   * registration keeps only what its release needs (the slot release holds just the keys, not the refusals): a
   * listening stream stays registered for its whole life, and there may be thousands of them.
   */
  open(stream: StreamRegistration): RegisteredStream {
    const freeSlots = stream.claim ? this.slots.take(stream.claim) : undefined;
    if (freeSlots) this.claims += 1;
    let closable: OpenStream | undefined;
    let released = false;
    const registered: RegisteredStream = {
      closableAs: (each) => {
        if (released || closable) return;
        closable = each;
        this.makeClosable(each, () => !released);
      },
      release: () => {
        if (released) return;
        released = true;
        if (closable) this.closable.delete(closable);
        if (!freeSlots) return;
        freeSlots();
        this.claims -= 1;
      },
    };
    if (stream.closable) registered.closableAs(stream.closable);
    return registered;
  }

  /** Closes the streams of one kind (every kind when none is given), now and from now on; returns how many. */
  closeResumably(kind?: OpenStream['kind'], retryMs = RESUME_RETRY_MS): number {
    for (const each of kind ? [kind] : (['listening', 'request'] as const)) this.closed.set(each, retryMs);
    let closed = 0;
    for (const stream of [...this.closable]) {
      if (kind && stream.kind !== kind) continue;
      this.closable.delete(stream);
      closed += 1;
      stream.closeResumably(retryMs);
    }
    return closed;
  }

  private makeClosable(stream: OpenStream, stillOpen: () => boolean): void {
    const retryMs = this.closed.get(stream.kind);
    if (retryMs === undefined) {
      this.closable.add(stream);
      return;
    }
    // Shutdown already closed its kind (the stream's upstream answered late): it goes the same way, once its opener
    // has finished setting it up, unless it ended meanwhile.
    setImmediate(() => {
      if (stillOpen()) stream.closeResumably(retryMs);
    });
  }
}
