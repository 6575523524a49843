import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Unix socket paths are limited to ~107 bytes; deeper data directories fall back to loopback TCP. */
const MAX_SOCKET_PATH = 100;
const SOCKET_PORT = 5432;

/**
 * The embedded default: PGlite persisted under the data directory, served over the PostgreSQL wire protocol by
 * pglite-socket, so TypeORM and pg use it exactly like a real server, with the same migrations.
 * The socket lives inside the data directory (mode 0700), so other local users cannot connect to it.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly endpoint: PostgresEndpoint,
    readonly dataPath: string,
  ) {}

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const dataPath = join(dataDir, 'pgdata');
    let db: PGlite;
    try {
      db = await PGlite.create(dataPath);
    } catch (error) {
      throw new Error(
        `Cannot open the embedded database at ${dataPath}; is another gateway process using this data directory? ` +
          `Stop it, or set MREG_DATA_DIR or MREG_DATABASE_URL. (${(error as Error).message})`,
        { cause: error },
      );
    }
    const runDir = join(dataDir, 'run');
    const socketPath = join(runDir, `.s.PGSQL.${SOCKET_PORT}`);
    const useSocket = socketPath.length <= MAX_SOCKET_PATH;
    let server: PGLiteSocketServer;
    if (useSocket) {
      await mkdir(runDir, { recursive: true, mode: 0o700 });
      // A socket file left by a crashed process; PGlite's directory lock above proves no live process owns it.
      await rm(socketPath, { force: true });
      server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
    } else {
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    }
    await server.start();
    const port = useSocket ? SOCKET_PORT : Number(server.getServerConn().split(':').pop());
    const endpoint = { host: useSocket ? runDir : '127.0.0.1', port, user: 'postgres', database: 'postgres' };
    return new EmbeddedPostgres(db, server, endpoint, dataPath);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
