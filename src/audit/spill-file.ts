import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingAuditEvent } from './audit.types.js';

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

  /** Every complete line, in order. A torn last line (the process died mid-write) is dropped, nothing else is. */
  async read(): Promise<{ events: PendingAuditEvent[]; torn: number }> {
    const text = await readFile(this.path, 'utf8');
    const events: PendingAuditEvent[] = [];
    let torn = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as PendingAuditEvent);
      } catch {
        torn += 1;
      }
    }
    return { events, torn };
  }

  remove(): Promise<void> {
    return rm(this.path, { force: true });
  }
}
