import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { RequestWithId } from '../context/request-context.js';

const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

const pathOf = (url: string | undefined): string => (url ?? '/').split('?')[0] ?? '/';

/**
 * One JSON line per request: method, path (never the query string, which could carry a token), status, duration
 * and correlation id. Headers are never serialized. Successful probe and scrape requests are not logged.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req as RequestWithId).id ?? 'unknown',
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: string }) => ({ method: req.method, path: pathOf(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return PROBE_PATHS.has(pathOf(req.url)) ? 'silent' : 'info';
    },
    customSuccessMessage: (req, res, responseTime) =>
      `${req.method} ${pathOf(req.url)} ${res.statusCode} ${Math.round(responseTime)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode} failed`,
    customAttributeKeys: { responseTime: 'durationMs', reqId: 'correlationId' },
  });
}
