import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { withFileLock } from './file-lock.js';

/** A pid that surely runs no process: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('withFileLock', () => {
  const fileIn = () => join(mkdtempSync(join(tmpdir(), 'mreg-lock-')), 'keys.json');

  /** Runs holders at once; each notes when it entered and left, so overlaps show. */
  async function holders(file: string, count: number): Promise<[number, number][]> {
    const spans: [number, number][] = [];
    let clock = 0;
    await Promise.all(
      Array.from({ length: count }, () =>
        withFileLock(file, async () => {
          const entered = ++clock;
          await delay(20);
          spans.push([entered, ++clock]);
        }),
      ),
    );
    return spans;
  }

  const overlapping = (spans: [number, number][]) =>
    spans.some(([start, end]) => spans.some(([other]) => other > start && other < end));

  it('lets one holder in at a time and removes the lock after the last', async () => {
    const file = fileIn();
    const spans = await holders(file, 5);
    expect(spans).toHaveLength(5);
    expect(overlapping(spans)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that died, one taker at a time even when several see it', async () => {
    const file = fileIn();
    writeFileSync(`${file}.lock`, String(deadPid()));
    const spans = await holders(file, 3);
    expect(spans).toHaveLength(3);
    expect(overlapping(spans)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
