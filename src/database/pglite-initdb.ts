import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Keeps an error message readable if the child prints a lot before failing. */
const MAX_STDERR_CHARS = 4000;

/**
 * Runs in the child process (CommonJS, `node -e`): PGlite.create on an empty directory runs initdb there, close()
 * shuts PostgreSQL down with a checkpoint. Arguments: PGlite's entry URL, the directory, then the start parameters.
 */
const CHILD_SCRIPT = `
const [entry, dataPath, ...startParams] = process.argv.slice(1);
import(entry)
  .then(async (pglite) => {
    const db = await (pglite.PGlite ?? pglite.default.PGlite).create(dataPath, { startParams });
    await db.close();
    process.exit(0);
  })
  .catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\\n');
    process.exit(1);
  });
`;

/**
 * Creates the PGlite data directory at `dataPath` unless it holds one already. The caller must hold the data
 * directory lock.
 *
 * Why a child process: PGlite's initdb runs a second PGlite instance, copies its 128 MB heap and runs initdb's own
 * WebAssembly module. Done in the gateway, that left about 500 MB of unreachable memory (peak RSS 850 MB, 800 MB idle
 * after the first boot) that V8 frees only at a major GC, and part of it never (malloc arenas of the compiler
 * threads; a worker thread kept 150 MB). A child process returns all of it when it exits.
 *
 * Why a scratch directory renamed into place: PGlite writes a new directory in place, so a first start killed while
 * it wrote would leave a partial one behind. The rename is atomic; a scratch directory left by a killed start is
 * removed by the next one.
 */
export async function initdbIfMissing(dataPath: string, startParams: string[]): Promise<void> {
  if (existsSync(join(dataPath, 'PG_VERSION'))) return;
  // An empty directory (older versions created it before initdb) is replaced by the rename; anything else is not ours.
  if ((await readdir(dataPath).catch(() => [])).length > 0) {
    throw new Error(
      `${dataPath} exists but holds no PostgreSQL data directory (no PG_VERSION); move it away and start again`,
    );
  }
  const parent = dirname(dataPath);
  const prefix = `${basename(dataPath)}.initdb-`;
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(prefix)) await rm(join(parent, entry), { recursive: true, force: true });
  }
  const scratch = await mkdtemp(join(parent, prefix));
  try {
    await runInitdbChild(scratch, startParams);
    await rename(scratch, dataPath);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

function runInitdbChild(dataPath: string, startParams: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, pgliteEntryUrl(), dataPath, ...startParams], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `initdb of the embedded database failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`,
          ),
        );
    });
  });
}

/**
 * The child imports the same PGlite the gateway uses. Under Jest, swc turns import.meta.resolve into require.resolve,
 * which answers a path rather than a URL.
 */
function pgliteEntryUrl(): string {
  const entry = import.meta.resolve('@electric-sql/pglite');
  return entry.startsWith('file:') ? entry : pathToFileURL(entry).href;
}
