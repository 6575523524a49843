import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const WAIT_MS = 50;
const ATTEMPTS = 100;
/** After taking over a stale lock, how long to wait before checking that no other taker replaced ours. */
const TAKEOVER_SETTLE_MS = 100;

/**
 * Runs `work` holding `<file>.lock`, so short read-modify-write changes to `file` from several processes happen one
 * after the other. The lock holds the owner's pid (and a nonce); one left by a process that no longer runs is taken
 * over. Two processes may see the same stale lock and both take it over (removing it is not atomic with reading
 * it): a taker therefore waits a moment and goes ahead only if the lock still holds its own nonce.
 */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const nonce = `${process.pid}:${randomBytes(8).toString('hex')}`;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let tookOver = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(nonce);
      await handle.close();
      if (!tookOver) break;
      await delay(TAKEOVER_SETTLE_MS);
      if ((await readFile(lock, 'utf8').catch(() => '')) === nonce) break;
      tookOver = false; // another taker replaced our lock: it holds it now, wait for it like for anyone
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lock, 'utf8').catch(() => '')).split(':')[0]);
      if (owner > 0 && !isRunning(owner)) {
        await rm(lock, { force: true });
        tookOver = true;
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
    // Only our own lock: never one a taker of a lock it wrongly thought stale put there.
    if ((await readFile(lock, 'utf8').catch(() => '')) === nonce) await rm(lock, { force: true });
  }
}

/** Whether a process with this pid runs on this machine (the owner of a lock file, say). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so whatever it holds is still held.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
