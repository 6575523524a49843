import type { RequestHandler } from 'express';
import type { Level, Logger } from 'pino';
import type { RequestWithId } from '../context/request-context.js';

const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

const pathOf = (url: string | undefined): string => (url ?? '/').split('?')[0] ?? '/';

function levelOf(path: string, statusCode: number, failed: boolean): Level | 'silent' {
  if (failed || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return PROBE_PATHS.has(path) ? 'silent' : 'info';
}

/**
 * One JSON line per request: method, path (never the query string, which could carry a token), status, duration
 * and correlation id. Headers are never serialized. Successful probe and scrape requests are not logged.
 *
 * Written for the hot path rather than with pino-http, which builds two child loggers per request even when the line
 * is below the log level: here nothing is allocated until the response ends, and nothing at all when its level is
 * off. The request's own context (tenant, principal, server, tool) joins the line through the logger's mixin.
 */
export function createHttpLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // The path as it came in: routers may rewrite req.url on the way.
    const path = pathOf(req.originalUrl ?? req.url);
    const done = (error?: unknown): void => {
      res.off('close', done);
      res.off('finish', done);
      res.off('error', done);
      const failed = error instanceof Error;
      const level = levelOf(path, res.statusCode, failed);
      if (level === 'silent' || !logger.isLevelEnabled(level)) return;
      const durationMs = Math.round(performance.now() - started);
      const line = {
        correlationId: (req as RequestWithId).id ?? 'unknown',
        req: { method: req.method, path },
        res: { statusCode: res.statusCode },
        durationMs,
      };
      if (level === 'error') {
        const err = failed ? error : new Error(`failed with status code ${res.statusCode}`);
        logger.error({ ...line, err }, `${req.method} ${path} ${res.statusCode} failed`);
      } else {
        logger[level](line, `${req.method} ${path} ${res.statusCode} ${durationMs}ms`);
      }
    };
    res.on('close', done);
    res.on('finish', done);
    res.on('error', done);
    next();
  };
}
