import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock.js';
import { initdbIfMissing } from './pglite-initdb.js';
import { pgliteStartParams } from './pglite-settings.js';
import { PGliteWireServer } from './pglite-wire-server.js';

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Unix socket paths are limited to ~107 bytes; deeper data directories get their socket in a private temp dir. */
const MAX_SOCKET_PATH = 100;
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;

/**
 * The embedded default: PGlite persisted under the data directory, served over the PostgreSQL wire protocol by
 * PGliteWireServer, so TypeORM and pg use it exactly like a real server, with the same migrations.
 * The directory is locked to this process (DataDirLock) and kept at mode 0700, and the server listens only on a Unix
 * socket in a 0700 directory, so neither another process nor another local user can reach the data.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGliteWireServer,
    private readonly lock: DataDirLock,
    private readonly privateSocketDir: string | undefined,
    readonly endpoint: PostgresEndpoint,
    readonly dataPath: string,
  ) {}

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // mkdir's mode applies only to a directory it creates; an existing one (a volume, a user's folder) is tightened.
    await chmod(dataDir, 0o700);
    const lock = await DataDirLock.acquire(dataDir);
    const dataPath = join(dataDir, 'pgdata');
    let db: PGlite | undefined;
    let privateSocketDir: string | undefined;
    try {
      const startParams = pgliteStartParams();
      await initdbIfMissing(dataPath, startParams);
      db = await PGlite.create(dataPath, { startParams });
      let socketDir = join(dataDir, 'run');
      if (join(socketDir, SOCKET_NAME).length > MAX_SOCKET_PATH) {
        privateSocketDir = await mkdtemp(join(tmpdir(), 'mreg-pg-'));
        socketDir = privateSocketDir;
      } else {
        await mkdir(socketDir, { recursive: true, mode: 0o700 });
      }
      const socketPath = join(socketDir, SOCKET_NAME);
      // A socket file left by a crashed process; the directory lock proves no live process owns it.
      await rm(socketPath, { force: true });
      const server = new PGliteWireServer(db, socketPath, maxConnections);
      await server.start();
      const endpoint = { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
      return new EmbeddedPostgres(db, server, lock, privateSocketDir, endpoint, dataPath);
    } catch (error) {
      await db?.close().catch(() => undefined);
      if (privateSocketDir) await rm(privateSocketDir, { recursive: true, force: true });
      await lock.release();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      if (this.privateSocketDir) await rm(this.privateSocketDir, { recursive: true, force: true });
      await this.lock.release();
    }
  }
}
