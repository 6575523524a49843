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
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Tags this process's notifications, so it does not re-read what it has just refreshed itself. */
  private readonly origin = randomUUID();
  private changes = 0;
  private readonly watchers = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RegistryRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.url) await this.listen(this.config.database.url);
    await this.reloadAll();
    this.resyncTimer = setInterval(() => void this.reloadAll().catch(() => undefined), RESYNC_INTERVAL_MS);
    this.resyncTimer.unref();
  }

  get(id: string): RegisteredServer | undefined {
    return this.servers.get(id);
  }

  all(): IterableIterator<RegisteredServer> {
    return this.servers.values();
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
   * returns it; the other processes re-read it when the notification arrives.
   */
  async changed(id: string): Promise<RegisteredServer | undefined> {
    const server = await this.refresh(id);
    if (this.listener) await this.repository.notify(REGISTRY_CHANNEL, `${this.origin}:${id}`);
    return server;
  }

  private async refresh(id: string): Promise<RegisteredServer | undefined> {
    const entity = await this.repository.systemFindById(id);
    const server = entity ? toRegistered(entity) : undefined;
    const moved = routingKey(this.servers.get(id)) !== routingKey(server);
    if (server) this.servers.set(id, server);
    else this.servers.delete(id);
    if (moved) this.moved();
    return server;
  }

  async reloadAll(): Promise<void> {
    const entities = await this.repository.systemFindAll();
    const next = new Map(entities.map((entity) => [entity.id, toRegistered(entity)]));
    const moved =
      next.size !== this.servers.size ||
      [...next].some(([id, server]) => routingKey(this.servers.get(id)) !== routingKey(server));
    this.servers = next;
    if (moved) this.moved();
  }

  private async listen(url: string): Promise<void> {
    const client = new PgClient({ connectionString: url, application_name: 'mcp-gateway-registry-listener' });
    client.on('notification', (message: Notification) => {
      const [origin, id] = (message.payload ?? '').split(':');
      if (message.channel !== REGISTRY_CHANNEL || !id || origin === this.origin) return;
      this.refresh(id).catch((error: unknown) =>
        this.logger.warn(`Could not refresh server ${id}: ${(error as Error).message}`),
      );
    });
    client.on('error', (error) => {
      this.logger.warn(`Registry change listener lost its connection: ${error.message}`);
      this.scheduleReconnect(url);
    });
    client.on('end', () => this.scheduleReconnect(url));
    await client.connect();
    await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
    this.listener = client;
  }

  private scheduleReconnect(url: string): void {
    if (this.stopped || this.reconnectTimer) return;
    const previous = this.listener;
    this.listener = undefined;
    previous?.removeAllListeners();
    void previous?.end().catch(() => undefined);
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
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    listener?.removeAllListeners();
    await listener?.end().catch(() => undefined);
  }
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
