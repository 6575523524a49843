import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunning } from '../common/file-lock.js';

/**
 * Exclusive ownership of a data directory for the lifetime of one process. PGlite does not lock its directory
 * (two processes can open it and corrupt it), so the gateway and the CLI take this pid-file lock first. A lock
 * left by a process that no longer runs is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const file = join(dataDir, 'gateway.pid');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return new DataDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
          throw new Error(
            `The data directory ${dataDir} is in use by process ${owner} (another gateway or CLI command). ` +
              `Stop it first, or use another MREG_DATA_DIR or a PostgreSQL MREG_DATABASE_URL.`,
          );
        }
        await rm(file, { force: true });
      }
    }
    throw new Error(`Cannot lock the data directory ${dataDir}`);
  }

  async release(): Promise<void> {
    const owner = await readFile(this.file, 'utf8').catch(() => '');
    if (owner.trim() === String(process.pid)) await rm(this.file, { force: true });
  }
}
