import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const WAIT_MS = 50;
const ATTEMPTS = 100;

/**
 * Runs `work` holding `<file>.lock`, so short read-modify-write changes to `file` from several processes happen one
 * after the other. The lock holds the owner's pid; one left by a process that no longer runs is taken over.
 */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (owner > 0 && !isRunning(owner)) {
        await rm(lock, { force: true });
      } else if (attempt >= ATTEMPTS) {
        throw new Error(
          `${file} is locked by ${lock} (process ${owner || 'unknown'}); remove it if that process is gone`,
        );
      } else {
        // The holder needs milliseconds (one read, one write): waiting is friendlier than failing.
        await delay(WAIT_MS);
      }
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so the lock is still held.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
