import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingAuditEvent } from './audit.types.js';

/**
 * No event the gateway writes comes near this (params are capped at 1 MiB, text fields at 512 characters): a longer
 * line is damage, such as the zeros a crash can leave where an append was allocated but never written. It is
 * dropped as torn rather than buffered, or it alone could exhaust memory.
 */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Read size: a big file streams quickly, and what is read ahead of the consumer stays a megabyte or two. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Consecutive events of the spill file, and how many torn lines were skipped since the previous batch. */
export interface SpillBatch {
  events: PendingAuditEvent[];
  torn: number;
}

/**
 * Where audit events wait while PostgreSQL is unreachable: an append-only NDJSON file in the data directory, synced
 * after every append, replayed in order when the database is back, then removed.
 */
export class SpillFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'audit-spill.ndjson');
  }

  async append(events: readonly PendingAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const handle = await open(this.path, 'a+', 0o600);
    try {
      // A process that died mid-append left a torn last line: end it, or the next event would be glued to it and lost.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const torn = size > 0 && last[0] !== 0x0a;
      await handle.writeFile(
        (torn ? '\n' : '') + events.map((event) => `${JSON.stringify(event)}\n`).join(''),
      );
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async exists(): Promise<boolean> {
    return stat(this.path).then(
      () => true,
      () => false,
    );
  }

  /**
   * Every complete line, in order, at most `size` events at a time. The file is read as the batches are consumed, so
   * a file of any size (hours of outage: more than a string or the heap can hold) costs one batch and one read chunk
   * of memory. A torn line (the process died mid-write) is skipped and counted; nothing else is. Rejects with ENOENT
   * when there is no file.
   */
  async *batches(size: number): AsyncGenerator<SpillBatch> {
    // Async iteration pulls a chunk only when the previous one is used up: the stream never reads ahead of the
    // consumer by more than its high-water mark, however long the consumer takes to store a batch. Lines are cut on
    // the byte 0x0a, which UTF-8 never uses inside a character, and only the lines kept are decoded.
    const stream = createReadStream(this.path, { highWaterMark: READ_CHUNK_BYTES });
    let events: PendingAuditEvent[] = [];
    let torn = 0;
    /** The start of the current line, from earlier chunks. */
    let head: Buffer[] = [];
    let headBytes = 0;
    /** Inside a line too long to be an event: dropped up to its newline. */
    let skipping = false;
    const take = (line: Buffer) => {
      if (line.length === 0) return;
      try {
        events.push(JSON.parse(line.toString('utf8')) as PendingAuditEvent);
      } catch {
        torn += 1;
      }
    };
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; start = end + 1, end = chunk.indexOf(0x0a, start)) {
        const tail = chunk.subarray(start, end);
        if (!skipping) take(headBytes > 0 ? Buffer.concat([...head, tail]) : tail);
        skipping = false;
        head = [];
        headBytes = 0;
        if (events.length < size) continue;
        yield { events, torn };
        events = [];
        torn = 0;
      }
      if (skipping) continue;
      head.push(chunk.subarray(start));
      headBytes += chunk.length - start;
      if (headBytes > MAX_LINE_BYTES) {
        torn += 1;
        skipping = true;
        head = [];
        headBytes = 0;
      }
    }
    // A last line without its newline is complete if it parses, torn otherwise.
    if (!skipping) take(Buffer.concat(head));
    if (events.length > 0 || torn > 0) yield { events, torn };
  }

  remove(): Promise<void> {
    return rm(this.path, { force: true });
  }
}
