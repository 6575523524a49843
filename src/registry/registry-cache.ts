import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Client as PgClient, type Notification } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RegistryRepository } from './registry.repository.js';
import type { RegisteredServer } from './registry.types.js';
import { toRegistered } from './server-views.js';

export const REGISTRY_CHANNEL = 'mreg_registry';
/** A full reload now and then repairs anything a lost notification left stale. */
const RESYNC_INTERVAL_MS = 60_000;
const RECONNECT_DELAY_MS = 1_000;
/**
 * The listener connection is idle for long stretches, and load balancers and NAT drop idle connections without a
 * word: TCP keepalives (well under the usual 4-5 minute idle limits) keep it alive, and a cheap query now and then
 * proves it still carries traffic (a silently dropped connection would otherwise just stop delivering).
 */
const LISTENER_KEEPALIVE_DELAY_MS = 30_000;
const LISTENER_PING_INTERVAL_MS = 30_000;
const LISTENER_PING_TIMEOUT_MS = 10_000;
const LISTENER_CONNECT_TIMEOUT_MS = 10_000;
const SHUTDOWN_END_TIMEOUT_MS = 1_000;

/**
 * Every registered server in memory, for the hot path (the proxy reads it per request; no database round trip).
 * Changes are announced with PostgreSQL `NOTIFY` and every process `LISTEN`s on a dedicated connection, so replicas
 * agree within milliseconds. The embedded database serves one process only (it locks its directory) and its
 * socket server does not deliver notifications between connections, so there changes are applied in-process.
 */
@Injectable()
export class RegistryCache implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RegistryCache');
  private servers = new Map<string, RegisteredServer>();
  private listener?: PgClient;
  private resyncTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Tags this process's notifications, so it does not re-read what it has just refreshed itself. */
  private readonly origin = randomUUID();
  private changes = 0;
  private readonly watchers = new Set<() => void>();
  /**
   * Reads are numbered in the order they are issued. A read issued after a change committed sees it, so for every
   * server the value from the latest-issued read wins: a full reload that started before a refresh, or a refresh
   * overtaken by a later one, never puts back what a newer read replaced (an unregister, tighter roles).
   */
  private reads = 0;
  /** The read the whole map was last loaded from. */
  private loadedRead = 0;
  /** Servers re-read one by one since that load, by the read their value (or removal) came from. */
  private readonly refreshedRead = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RegistryRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.database.url;
    if (url) await this.listen(url);
    await this.reloadAll();
    this.resyncTimer = setInterval(() => void this.reloadAll().catch(() => undefined), RESYNC_INTERVAL_MS);
    this.resyncTimer.unref();
    if (url) {
      this.pingTimer = setInterval(() => void this.pingListener(), LISTENER_PING_INTERVAL_MS);
      this.pingTimer.unref();
    }
  }

  get(id: string): RegisteredServer | undefined {
    return this.servers.get(id);
  }

  all(): IterableIterator<RegisteredServer> {
    return this.servers.values();
  }

  /** Whether change notifications from other processes currently reach this one. */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /**
   * Grows when a change affects who may use what (not on every health-check write): catalogs derived from the
   * registry are rebuilt only when it moved.
   */
  get version(): number {
    return this.changes;
  }

  /** Calls `listener` whenever `version` moves (streams that tell clients their lists changed); returns the unsubscribe. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private moved(): void {
    this.changes++;
    for (const listener of this.watchers) listener();
  }

  /**
   * Called after a change commits: this process re-reads the server at once (so a caller reads its own write) and
   * returns it; the other processes re-read it when the notification arrives. `NOTIFY` goes over the pool, not the
   * listener connection, so it is sent even while this process's listener reconnects.
   */
  async changed(id: string): Promise<RegisteredServer | undefined> {
    const server = await this.refresh(id);
    if (this.config.database.url) await this.repository.notify(REGISTRY_CHANNEL, `${this.origin}:${id}`);
    return server;
  }

  private async refresh(id: string): Promise<RegisteredServer | undefined> {
    const read = ++this.reads;
    const entity = await this.repository.systemFindById(id);
    // A later read of this server (or of everything) has been applied already: it is at least as new as this one.
    if (Math.max(this.loadedRead, this.refreshedRead.get(id) ?? 0) > read) return this.servers.get(id);
    this.refreshedRead.set(id, read);
    const server = entity ? toRegistered(entity) : undefined;
    const moved = routingKey(this.servers.get(id)) !== routingKey(server);
    if (server) this.servers.set(id, server);
    else this.servers.delete(id);
    if (moved) this.moved();
    return server;
  }

  async reloadAll(): Promise<void> {
    const read = ++this.reads;
    const entities = await this.repository.systemFindAll();
    if (this.loadedRead > read) return;
    const next = new Map(entities.map((entity) => [entity.id, toRegistered(entity)]));
    for (const [id, refreshed] of this.refreshedRead) {
      if (refreshed < read) {
        this.refreshedRead.delete(id);
        continue;
      }
      // Re-read after this snapshot was taken: keep that newer value, or its absence.
      const current = this.servers.get(id);
      if (current) next.set(id, current);
      else next.delete(id);
    }
    const moved =
      next.size !== this.servers.size ||
      [...next].some(([id, server]) => routingKey(this.servers.get(id)) !== routingKey(server));
    this.servers = next;
    this.loadedRead = read;
    if (moved) this.moved();
  }

  /**
   * Proves the listener connection still answers; when it does not within `timeoutMs`, it is replaced (and the
   * registry reloaded, as notifications may have been lost). Runs on a timer; public so tests can drive it.
   */
  async pingListener(timeoutMs = LISTENER_PING_TIMEOUT_MS): Promise<boolean> {
    const client = this.listener;
    const url = this.config.database.url;
    if (!client || !url) return false;
    let timer: NodeJS.Timeout | undefined;
    const alive = await Promise.race([
      client.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!alive && this.listener === client) {
      this.logger.warn('Registry change listener stopped answering; reconnecting');
      this.scheduleReconnect(url);
    }
    return alive;
  }

  private async listen(url: string): Promise<void> {
    const client = new PgClient({
      connectionString: url,
      application_name: 'mcp-gateway-registry-listener',
      keepAlive: true,
      keepAliveInitialDelayMillis: LISTENER_KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: LISTENER_CONNECT_TIMEOUT_MS,
    });
    // Only the current listener may trigger a reconnect: a retired one ending late must not tear down its successor.
    const lost = () => {
      if (this.listener === client) this.scheduleReconnect(url);
    };
    client.on('notification', (message: Notification) => {
      const [origin, id] = (message.payload ?? '').split(':');
      if (message.channel !== REGISTRY_CHANNEL || !id || origin === this.origin) return;
      this.refresh(id).catch((error: unknown) =>
        this.logger.warn(`Could not refresh server ${id}: ${(error as Error).message}`),
      );
    });
    client.on('error', (error) => {
      this.logger.warn(`Registry change listener lost its connection: ${error.message}`);
      lost();
    });
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
    } catch (error) {
      retire(client);
      throw error;
    }
    // Shutdown came while this connection was being opened: nobody would close it.
    if (this.stopped) {
      retire(client);
      return;
    }
    this.listener = client;
  }

  private scheduleReconnect(url: string): void {
    if (this.stopped || this.reconnectTimer) return;
    const previous = this.listener;
    this.listener = undefined;
    if (previous) retire(previous);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      // Notifications sent while disconnected are lost: reload everything once listening again.
      this.listen(url)
        .then(() => this.reloadAll())
        .catch(() => this.scheduleReconnect(url));
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return;
    listener.removeAllListeners();
    listener.on('error', () => undefined);
    // A connection that went dead silently would never confirm the end: do not let it hold up shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      listener.end().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_END_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }
}

/** Closes a listener we no longer use; it may still fail later, which must not become an unhandled 'error' event. */
function retire(client: PgClient): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  void client.end().catch(() => undefined);
}

/** What derived catalogs depend on: visibility, roles, approved tools, maintenance, endpoints; not health details. */
function routingKey(server: RegisteredServer | undefined): string {
  if (!server) return '';
  return JSON.stringify([
    server.tenantId,
    server.name,
    server.visibility,
    server.requiredRoles,
    server.toolRoles,
    server.transport,
    server.endpoints,
    server.status === 'maintenance',
    server.approvedCapabilitiesHash,
    server.ownerOid,
  ]);
}
