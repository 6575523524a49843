import { appendFileSync, mkdtempSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PendingAuditEvent } from './audit.types.js';
import { type SpillBatch, SpillFile } from './spill-file.js';

const event = (n: number) => ({ eventId: `e${n}`, action: 'x' }) as unknown as PendingAuditEvent;
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => event(from + i));
const newSpill = () => new SpillFile(mkdtempSync(join(tmpdir(), 'mreg-spill-')));

async function all(batches: AsyncIterable<SpillBatch>): Promise<SpillBatch[]> {
  const seen: SpillBatch[] = [];
  for await (const batch of batches) seen.push(batch);
  return seen;
}

describe('SpillFile', () => {
  it('keeps every event appended after a torn line a crash left behind, dropping only the torn one', async () => {
    const sut = newSpill();
    await sut.append([event(1)]);
    appendFileSync(sut.path, '{"eventId":"e2","act'); // the process died here
    await sut.append([event(3), event(4)]);
    const batches = await all(sut.batches(500));
    expect(batches.flatMap((b) => b.events).map((e) => e.eventId)).toEqual(['e1', 'e3', 'e4']);
    expect(batches.reduce((sum, b) => sum + b.torn, 0)).toBe(1);
  });

  it('reads a file of many batches in order, none larger than the batch size, counting each torn line once', async () => {
    const sut = newSpill();
    await sut.append(events(0, 1_000));
    appendFileSync(sut.path, '{"eventId":"torn-1",'); // died mid-append, twice
    await sut.append(events(1_000, 1_000));
    appendFileSync(sut.path, '{"eventId":"torn-2"');
    await sut.append(events(2_000, 503));
    appendFileSync(sut.path, '{"eventId":"torn-3'); // and once more, at the very end: no newline follows

    const batches = await all(sut.batches(250));
    expect(batches.flatMap((b) => b.events).map((e) => e.eventId)).toEqual(
      events(0, 2_503).map((e) => e.eventId),
    );
    expect(batches.every((b) => b.events.length <= 250)).toBe(true);
    expect(batches.length).toBeGreaterThanOrEqual(11);
    expect(batches.reduce((sum, b) => sum + b.torn, 0)).toBe(3);
  });

  it('keeps a complete last event that lacks only its newline', async () => {
    const sut = newSpill();
    await sut.append([event(1)]);
    appendFileSync(sut.path, JSON.stringify(event(2)));
    const batches = await all(sut.batches(500));
    expect(batches.flatMap((b) => b.events).map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(batches[0].torn).toBe(0);
  });

  it('reads a file larger than a string can hold, dropping a damaged line without holding it', async () => {
    const sut = newSpill();
    await sut.append([event(1)]);
    // Allocated by an append but never written (a crash): 600 MiB of zeros, sparse so cheap. Read whole, the file
    // would not fit in a string (~512 MiB); buffered whole, the line alone would.
    truncateSync(sut.path, statSync(sut.path).size + 600 * 1024 * 1024);
    await sut.append([event(2)]);
    appendFileSync(sut.path, Buffer.alloc(17 * 1024 * 1024)); // and again at the very end
    const batches = await all(sut.batches(500));
    expect(batches.flatMap((b) => b.events).map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(batches.reduce((sum, b) => sum + b.torn, 0)).toBe(2);
  });

  it('reads the file as batches are taken, not all of it up front', async () => {
    const sut = newSpill();
    const padded = (n: number) => ({ ...event(n), params: { pad: 'x'.repeat(200) } }) as PendingAuditEvent;
    await sut.append(Array.from({ length: 50_000 }, (_, n) => padded(n))); // ~12 MB: many read chunks
    const iterator = sut.batches(500);
    expect((await iterator.next()).value?.events).toHaveLength(500);

    // What is still on disk after the first batch was taken is what later batches are made of: a reader that had
    // slurped the whole file (and held it in memory) would still yield every event.
    truncateSync(sut.path, 0);
    let later = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      later += next.value.events.length;
    expect(later).toBeLessThan(25_000);
  });

  it('rejects with ENOENT when there is no file', async () => {
    await expect(all(newSpill().batches(500))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
