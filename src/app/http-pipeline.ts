import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AuditDenials } from '../audit/index.js';
import { RequestAuthenticator } from '../auth/index.js';
import { requestContextMiddleware } from '../common/context/request-context.js';
import { AllExceptionsFilter, expressErrorHandler } from '../common/http/all-exceptions.filter.js';
import { jsonDepthLimit } from '../common/http/json-depth.js';
import { originGuard } from '../common/http/origin-guard.js';
import { textHygiene } from '../common/http/text-hygiene.js';
import { createValidationPipe } from '../common/http/validation.pipe.js';
import { createHttpLogger } from '../common/logging/http-logger.js';
import type { AppConfig } from '../config/app-config.js';
import { drainableMcpPosts } from '../observability/drainable-requests.js';
import { LifecycleState } from '../observability/lifecycle-state.js';
import { MetricsService } from '../observability/metrics.service.js';
import { OpenStreams } from '../observability/open-streams.js';
import { ProxyFastLane, ProxyService } from '../proxy/index.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * While draining, every response closes its connection and each finished response lets idle keep-alive sockets go:
 * after `server.close()` a busy keep-alive connection would otherwise stay open and take new requests until the
 * shutdown timeout cut it off mid-request.
 */
function closeConnectionsWhileDraining(lifecycle: LifecycleState, server: Server): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.isDraining) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (lifecycle.isDraining) setImmediate(() => server.closeIdleConnections());
    });
    next();
  };
}

/**
 * Express-level pipeline, in order: correlation id and request context, metrics, request log, body parsers with the
 * configured limit (for every content type, so no route can be fed an unbounded body), and an error handler that
 * turns parser failures (413, malformed JSON) into the common error body. `/servers/{id}/mcp` runs the same
 * middleware from the proxy's fast lane, ahead of Express's router (see ProxyFastLane).
 */
export function configureHttpPipeline(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  const limit = config.http.bodyLimitBytes;
  app.disable('x-powered-by');
  // Behind an ingress the socket address is the ingress's; trusting its X-Forwarded-For gives `req.ip` per client.
  if (config.http.trustProxy > 0) app.set('trust proxy', config.http.trustProxy);
  const server: Server = app.getHttpServer();
  const context: RequestHandler[] = [
    requestContextMiddleware as RequestHandler,
    closeConnectionsWhileDraining(app.get(LifecycleState), server),
    app.get(MetricsService).httpMiddleware,
    createHttpLogger(logger),
    originGuard({
      allowedOrigins: config.http.allowedOrigins,
      publicUrl: config.http.publicUrl,
      localMode: config.auth.mode === 'local',
      bindHost: config.http.host,
    }),
  ];
  const json = express.json({ limit, type: JSON_TYPES });
  const depth = jsonDepthLimit();
  for (const middleware of context) app.use(middleware);
  app.use(json);
  app.use(express.urlencoded({ limit, extended: false }));
  app.use(express.raw({ limit, type: () => true }));
  app.use(depth);
  app.use(textHygiene(['/servers/', '/federated/']));
  app.use(drainableMcpPosts(app.get(OpenStreams), ['/mcp', '/federated/mcp']));
  app.use(expressErrorHandler);
  app.useGlobalFilters(new AllExceptionsFilter(app.get(AuditDenials)));
  app.useGlobalPipes(createValidationPipe());

  const lane = new ProxyFastLane(
    app.getHttpAdapter().getInstance(),
    [...context, json, depth],
    app.get(RequestAuthenticator),
    app.get(ProxyService),
    app.get(AuditDenials),
  );
  takeRequestsFirst(server, (req, res) => lane.take(req, res));
}

/** Puts `take` in front of the server's request listener (Express): what it does not take goes on to Express. */
function takeRequestsFirst(
  server: Server,
  take: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const listeners = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (take(req, res)) return;
    for (const listener of listeners) listener.call(server, req, res);
  });
}
