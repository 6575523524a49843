import type { OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { withDeadline } from '../common/deadline.js';
import type { AppConfig, DatabaseKind } from '../config/app-config.js';
import { maskUrlPassword } from '../config/describe-config.js';
import { createDataSource, type ConnectionTarget } from './data-source.factory.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { pendingMigrationNames, runPendingMigrations } from './migrator.js';

const PING_TIMEOUT_MS = 2000;

export interface PoolUsage {
  busy: number;
  idle: number;
  waiting: number;
}

/** The counters of node-postgres's pool that TypeORM keeps as its driver's `master`. */
interface NodePgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations once connected. Default: the config's migrate-on-boot setting. */
  migrate?: boolean;
  /** Told now and then while another process holds the migration lock. */
  onMigrationLockWait?: (waitedMs: number) => void;
  /** Told at each retry while PostgreSQL does not accept connections yet (within MREG_DATABASE_WAIT_MS). */
  onConnectWait?: (reason: string, leftMs: number) => void;
}

/** Why a connection can succeed later: the server is not up (yet), or is starting. Not: credentials, no database. */
const TRANSIENT_CONNECT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P03',
]);
const RETRY_DELAYS_MS = [250, 500, 1000, 2000];

function transientCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && TRANSIENT_CONNECT.has(code) ? code : undefined;
}

/**
 * The gateway's database: either the configured PostgreSQL or the embedded PGlite default, behind one TypeORM
 * DataSource. Owns the connection lifecycle and is the only thing that knows which kind is in use.
 */
export class Database implements OnApplicationShutdown {
  /** Databases opened and not yet closed, so a start that fails after opening one can still close it. */
  static readonly openInstances = new Set<Database>();
  private closed = false;

  private constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
    /** Where the data lives, safe to log (passwords masked). */
    readonly location: string,
    readonly appliedAtOpen: string[],
    private readonly embedded?: EmbeddedPostgres,
  ) {}

  static async open(config: AppConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
    const migrate = options.migrate ?? config.database.migrateOnBoot;
    let embedded: EmbeddedPostgres | undefined;
    let target: ConnectionTarget;
    let location: string;
    if (config.database.url) {
      target = { url: config.database.url };
      location = maskUrlPassword(config.database.url);
    } else {
      // PGlite is a single backend session: a large pool adds queueing, not parallelism.
      embedded = await EmbeddedPostgres.start(config.dataDir, config.database.poolSize + 2);
      target = embedded.endpoint;
      location = embedded.dataPath;
    }
    let dataSource: DataSource | undefined;
    try {
      dataSource = await Database.connect(
        () => createDataSource({ target, poolSize: config.database.poolSize }),
        embedded ? 0 : config.database.waitMs,
        options,
      );
      const applied = migrate
        ? await runPendingMigrations(dataSource, { onWait: options.onMigrationLockWait })
        : [];
      const database = new Database(dataSource, config.database.kind, location, applied, embedded);
      Database.openInstances.add(database);
      return database;
    } catch (error) {
      if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
      throw new Error(
        `Cannot open the ${config.database.kind} database at ${location}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Connects, retrying for up to `waitMs` while PostgreSQL refuses or is starting (a gateway started before its
   * database, as compose and Kubernetes do, comes up once the database does). Any other failure ends it at once.
   */
  private static async connect(
    create: () => DataSource,
    waitMs: number,
    options: OpenDatabaseOptions,
  ): Promise<DataSource> {
    const giveUpAt = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      // A DataSource whose initialize failed is not reused: its driver may hold a half-made pool.
      const dataSource = create();
      try {
        return await dataSource.initialize();
      } catch (error) {
        const code = transientCode(error);
        const left = giveUpAt - Date.now();
        await dataSource.destroy().catch(() => undefined);
        if (!code || left <= 0) throw error;
        options.onConnectWait?.(code, left);
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      }
    }
  }

  /** Resolves when the database answers a trivial query within a short timeout; rejects otherwise. */
  async ping(): Promise<void> {
    await withDeadline(this.dataSource.query('SELECT 1'), PING_TIMEOUT_MS, 'database ping');
  }

  /** Connections of the pool (node-postgres, for either kind): in use, idle, and requests waiting for one. */
  poolUsage(): PoolUsage {
    const pool = (this.dataSource.driver as unknown as { master?: NodePgPool }).master;
    if (!pool) return { busy: 0, idle: 0, waiting: 0 };
    return { busy: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  pendingMigrations(): Promise<string[]> {
    return pendingMigrationNames(this.dataSource);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Database.openInstances.delete(this);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
