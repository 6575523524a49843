import type { Request, RequestHandler, Response } from 'express';
import { type OpenStreams, RESUME_RETRY_MS } from './open-streams.js';
import type { ErrorBody } from '../common/errors/error-body.js';
import { toJsonRpcError } from '../common/errors/json-rpc.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** The error a request still unanswered at the drain timeout gets: retryable, on another replica. */
export const GATEWAY_RESTARTING: ErrorBody = {
  statusCode: 503,
  code: ErrorCode.GATEWAY_RESTARTING,
  message: 'This gateway replica is restarting; send the request again',
};

/**
 * POSTs to the gateway's own MCP endpoints (`/mcp`, `/federated/mcp`), whose responses the SDK's transport writes
 * without an event store, so they cannot be resumed. Registered as request streams: at the drain timeout each
 * request still unanswered gets a retryable GATEWAY_RESTARTING error instead of a cut connection.
 */
export function drainableMcpPosts(streams: OpenStreams, paths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !paths.includes(req.path)) return next();
    const stream = streams.open({
      closable: { kind: 'request', closeResumably: (retryMs) => endWithRestartErrors(req, res, retryMs) },
    });
    res.once('close', stream.release);
    next();
  };
}

function endWithRestartErrors(req: Request, res: Response, retryMs = RESUME_RETRY_MS): void {
  if (res.writableEnded || res.destroyed) return;
  // The transport may still write once its work finishes: after the end that would emit an unhandled 'error'.
  res.on('error', () => undefined);
  const errors = requestIds(req.body).map((id) => toJsonRpcError(GATEWAY_RESTARTING, id));
  if (!res.headersSent) {
    res
      .status(503)
      .set({ 'retry-after': String(Math.ceil(retryMs / 1000)), connection: 'close' })
      .json(Array.isArray(req.body) ? errors : (errors[0] ?? toJsonRpcError(GATEWAY_RESTARTING, null)));
    return;
  }
  if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
    for (const error of errors) res.write(`event: message\ndata: ${JSON.stringify(error)}\n\n`);
    res.end();
    return;
  }
  // A JSON answer half written cannot take another message: cut it.
  res.destroy();
}

function requestIds(body: unknown): (string | number)[] {
  const messages = (Array.isArray(body) ? body : [body]) as { id?: unknown; method?: unknown }[];
  return messages
    .filter((message) => typeof message?.method === 'string')
    .map((message) => message.id)
    .filter((id): id is string | number => typeof id === 'string' || typeof id === 'number');
}
