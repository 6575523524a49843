import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequest } from '../common/decorators/auth.decorators.js';
import type { RequestAuthenticator } from '../auth/index.js';
import { describeRequest, type RequestWithId } from '../common/context/request-context.js';
import {
  answerHttpError,
  expressErrorHandler,
  type HttpErrorObserver,
} from '../common/http/all-exceptions.filter.js';
import { runChain } from '../common/http/middleware-chain.js';
import { sendProxyError } from './proxy-error-response.js';
import type { ProxyService } from './proxy.service.js';

const PROXY_PATH = /^\/servers\/([^/?]+)\/mcp\/?(?:\?|$)/;
const logger = new Logger('ProxyFastLane');

/** The media types the app's JSON parser reads (application/json, application/*+json); others take the ordinary path. */
function isJsonType(header: string | undefined): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type !== undefined && /^application\/[^/\s]+\+json$/.test(type));
}
/** The route template the HTTP metrics label these requests with, as Nest's router would. */
const PROXY_ROUTE = { path: '/servers/:serverId/mcp' };

type LaneRequest = Request & AuthenticatedRequest & RequestWithId;

/**
 * `/servers/{id}/mcp` served ahead of Express's router and Nest: the hot path of every proxied call pays for the
 * request pipeline it needs and the proxy, not for routing through every middleware layer and Nest's guard,
 * interceptor and parameter machinery (together about a third of the gateway's CPU per proxied call).
 *
 * It decides nothing itself, and skips nothing a request needs:
 * - `pipeline` is the very same middleware the app runs for every route (request context and correlation id,
 *   draining, metrics, request log, the JSON body parser with its limit, the depth limit), run in the same order;
 * - the principal comes from the RequestAuthenticator that the global guard's strategy calls, and a refusal is
 *   answered by the same function as the global exception filter's, with the same audit of the denial;
 * - everything after is ProxyService, exactly as behind ProxyController.
 * Requests it does not take (another method, a body that is not JSON) go to Express, where ProxyController serves
 * them through the ordinary pipeline.
 */
export class ProxyFastLane {
  constructor(
    private readonly express: Express,
    private readonly pipeline: readonly RequestHandler[],
    private readonly authenticator: RequestAuthenticator,
    private readonly proxy: ProxyService,
    private readonly errors: HttpErrorObserver,
  ) {}

  /** Serves the request if it is one for this lane; false when Express should. */
  take(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
    const serverId = laneTarget(incoming);
    if (serverId === undefined) return false;
    const { req, res } = this.asExpress(incoming, outgoing, serverId);
    runChain(
      this.pipeline,
      req,
      res,
      () =>
        void this.serve(req, res, serverId).catch((error: unknown) => {
          // Answering the error failed too (the response broke mid-way): nothing sensible is left to send.
          logger.error(error instanceof Error ? error : String(error));
          res.destroy();
        }),
      (error) => expressErrorHandler(error, req, res, () => res.destroy()),
    );
    return true;
  }

  /** What Express's app.handle and router give every request: its request and response prototypes and fields. */
  private asExpress(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    serverId: string,
  ): { req: LaneRequest; res: Response } {
    const req = Object.setPrototypeOf(incoming, this.express.request) as LaneRequest;
    const res = Object.setPrototypeOf(outgoing, this.express.response) as Response;
    // The route parameter too: the audit of a refused request names the server, as behind Nest's router.
    Object.assign(req, {
      res,
      app: this.express,
      baseUrl: '',
      originalUrl: incoming.url,
      route: PROXY_ROUTE,
      params: { serverId },
    });
    Object.assign(res, { req, app: this.express, locals: Object.create(null) as Record<string, unknown> });
    return { req, res };
  }

  private async serve(req: LaneRequest, res: Response, serverId: string): Promise<void> {
    try {
      req.principal = await this.authenticator.authenticate(req);
      describeRequest({ tenantId: req.principal.tenantId, principalOid: req.principal.oid });
      await this.proxy.handle(req.principal, serverId, req, res);
    } catch (error) {
      if (!sendProxyError(res, error)) answerHttpError(error, req, res, this.errors);
    }
  }
}

/**
 * The server id when the request is one the lane serves: POST (a JSON body: anything else takes the ordinary path,
 * whose parsers answer it), GET or DELETE on `/servers/{id}/mcp`. Undefined otherwise, or when the id is not valid
 * percent-encoding.
 */
function laneTarget(req: IncomingMessage): string | undefined {
  const method = req.method;
  if (method === 'POST') {
    if (!isJsonType(req.headers['content-type'])) return undefined;
  } else if (method !== 'GET' && method !== 'DELETE') {
    return undefined;
  } else if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
    // A GET or DELETE with a body: the ordinary pipeline reads it under the body limit.
    return undefined;
  }
  const match = PROXY_PATH.exec(req.url ?? '');
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}
