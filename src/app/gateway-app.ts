import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from '../config/app-config.js';
import { setupSwagger } from '../common/http/swagger.js';
import { createLogger } from '../common/logging/logger.js';
import { PinoNestLogger } from '../common/logging/pino-nest-logger.js';
import { Database } from '../database/database.js';
import { GatewayMcpServer } from '../mcp/gateway-mcp-server.js';
import { LifecycleState } from '../observability/lifecycle-state.js';
import { OpenStreams } from '../observability/open-streams.js';
import { installTracing, type TracingHandle } from '../observability/tracing.js';
import { GATEWAY_VERSION } from '../common/version.js';
import { configureHttpPipeline } from './http-pipeline.js';

/** After streams were ended for shutdown, how long their last bytes get to reach clients before sockets are cut. */
const STREAM_CLOSE_GRACE_MS = 1_000;

/** A running gateway: the Nest application, the address it listens on, and an orderly way to stop it. */
export class GatewayApp {
  private stopping?: Promise<void>;

  private constructor(
    readonly app: INestApplication,
    readonly config: AppConfig,
    readonly logger: Logger,
    readonly url: string,
    private readonly tracing: TracingHandle,
  ) {}

  /** Builds, wires and starts the gateway on `config.http.host:port` (port 0 picks a free one). */
  static async start(config: AppConfig, options: { logger?: Logger } = {}): Promise<GatewayApp> {
    const logger = options.logger ?? createLogger(config.logLevel);
    const tracing = await installTracing();
    const openBefore = new Set(Database.openInstances);
    let app: NestExpressApplication;
    try {
      app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
        bodyParser: false,
        abortOnError: false,
        logger: new PinoNestLogger(logger),
      });
    } catch (error) {
      // A provider failed after the database opened: Nest runs no shutdown hooks then, so close it here rather
      // than leave a pool (or the embedded database and its lock) behind.
      const opened = [...Database.openInstances].filter((database) => !openBefore.has(database));
      await Promise.all(opened.map((database) => database.close().catch(() => undefined)));
      throw error;
    }
    try {
      configureHttpPipeline(app, config, logger);
      setupSwagger(app);
      const mcp = app.get(GatewayMcpServer);
      mcp.strategy.setHttpAdapter(app.getHttpAdapter());
      // Inherit the app's global guards and interceptors, so tool calls are authenticated, throttled and audited too.
      app.connectMicroservice({ strategy: mcp.strategy }, { inheritAppConfig: true });
      await app.startAllMicroservices();
      await app.listen(config.http.port, config.http.host);
      const server = app.getHttpServer();
      // Outlive the idle timeout of common load balancers (60 s) so they never reuse a socket we just closed (502s).
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const address = app.getHttpServer().address() as AddressInfo;
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    const gateway = new GatewayApp(app, config, logger, `http://${host}:${address.port}`, tracing);
    gateway.logStartup(address.port);
    return gateway;
  }

  /**
   * Graceful stop: readiness turns 503 at once; after the shutdown delay the listener stops accepting and listening
   * SSE streams end resumably; in-flight requests get until the shutdown timeout, then streams still open end
   * resumably, remaining connections are closed a second later, and modules (database last) shut down.
   */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= this.drainAndClose(reason);
    return this.stopping;
  }

  private async drainAndClose(reason: string): Promise<void> {
    const { shutdownTimeoutMs, shutdownDelayMs } = this.config.http;
    this.logger.info({ reason, timeoutMs: shutdownTimeoutMs, delayMs: shutdownDelayMs }, 'Shutting down');
    this.app.get(LifecycleState).startDraining();
    // Keep serving while readiness says 503, so load balancers take this instance out before it stops listening.
    if (shutdownDelayMs > 0) await sleep(shutdownDelayMs);
    const server = this.app.getHttpServer() as Server;
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Listening streams never end by themselves; waiting for them would make every shutdown last the full timeout.
    // They end now, resumably, and their clients reconnect to another replica.
    const streams = this.app.get(OpenStreams);
    const listening = streams.closeResumably('listening');
    if (listening > 0)
      this.logger.info({ streams: listening }, 'Closed listening streams for clients to resume');
    if ((await within(drained, shutdownTimeoutMs)) === 'timeout') {
      // Streams still answering a request end resumably too; the rest (plain requests) are cut after a moment.
      // Every kind: a listening stream whose upstream answered after the first sweep is among them.
      const requests = streams.closeResumably();
      this.logger.warn(
        { streams: requests },
        'In-flight requests outlived the shutdown timeout; streams closed for clients to resume',
      );
      if ((await within(drained, STREAM_CLOSE_GRACE_MS)) === 'timeout') server.closeAllConnections();
    }
    await this.app.close();
    // Spans still batched are sent before the process goes.
    await this.tracing.shutdown().catch(() => undefined);
    this.logger.info('Stopped');
    this.logger.flush();
  }

  private logStartup(port: number): void {
    const loopback = ['127.0.0.1', 'localhost', '::1'].includes(this.config.http.host);
    if (this.config.auth.mode === 'local' && !loopback) {
      this.logger.warn(
        `Local identity mode on ${this.config.http.host}: anyone who can reach this port can sign in as any user through ` +
          'the development login form. Use MREG_HOST=127.0.0.1, or configure Entra ID.',
      );
    }
    const database = this.app.get(Database);
    const auth = this.config.auth.mode;
    this.logger.info(
      {
        version: GATEWAY_VERSION,
        host: this.config.http.host,
        port,
        database: { kind: database.kind, location: database.location },
        auth: { mode: auth },
        rateLimitStore: this.config.redisUrl ? 'redis' : 'memory',
      },
      `MCP Registry Gateway ${GATEWAY_VERSION} listening on http://${this.config.http.host}:${port} ` +
        `(database: ${database.kind === 'embedded' ? `embedded PGlite at ${database.location}` : `PostgreSQL ${database.location}`}; ` +
        `auth: ${auth === 'entra' ? `Entra ID tenant ${this.config.auth.tenantId}` : 'local identity mode (development; tokens from `mcp-gateway token`)'}); ` +
        `admin console at /admin, API docs at /docs`,
    );
  }
}

/** Resolves with the promise, or with 'timeout' after `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise.then(() => 'done' as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
