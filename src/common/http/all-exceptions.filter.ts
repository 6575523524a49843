import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestWithId } from '../context/request-context.js';
import { type ErrorBody, toErrorBody } from '../errors/error-body.js';
import { GatewayException } from '../errors/gateway.exception.js';
import { isOAuthPath, toOAuthError } from '../errors/oauth-protocol.error.js';
import {
  isMcpPath,
  JsonRpcException,
  singleRequestId,
  toJsonRpcError,
} from '../errors/json-rpc.exception.js';
import { ErrorCode } from '../errors/error-codes.js';

/** Told about every error answered on an HTTP route (the audit trail records refusals through it). */
export interface HttpErrorObserver {
  onHttpError(req: RequestWithId, status: number, code: string): void;
}

const logger = new Logger('ExceptionFilter');

/**
 * Answers an error on an HTTP route in the shape of its surface (`renderFor`), told to the observer. Details of
 * unexpected errors go to the log only. Shared by the global filter and routes served ahead of Nest's router, so both
 * answer alike.
 */
export function answerHttpError(
  exception: unknown,
  req: RequestWithId,
  res: Response,
  observer?: HttpErrorObserver,
): void {
  const body = toErrorBody(exception, req.id);
  observer?.onHttpError(req, body.statusCode, body.code);
  // A deliberate 503 (a dependency is down: rate-limit store, audit trail) is an answer, not a bug: its cause is
  // logged once where it is detected, not with a stack trace per refused request.
  const deliberateUnavailable =
    (exception instanceof GatewayException && body.statusCode === 503) ||
    body.code === (ErrorCode.DATABASE_UNAVAILABLE as string);
  if (body.statusCode >= 500 && !deliberateUnavailable) {
    logger.error(
      exception instanceof Error ? exception : String(exception),
      (exception as Error | undefined)?.stack,
    );
  }
  if (res.headersSent) {
    // A streamed response already started; the only honest thing left is to end it.
    res.end();
    return;
  }
  if (exception instanceof GatewayException && exception.headers) {
    for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
  }
  if (body.code === (ErrorCode.DATABASE_UNAVAILABLE as string)) res.setHeader('Retry-After', '5');
  res.status(body.statusCode).json(renderFor(req, exception, body));
}

/**
 * The error body in the shape of the surface the request came to, not the thrower's: MCP endpoints answer JSON-RPC
 * (an unknown server on /servers/{id}/mcp as much as an unknown session there), the OAuth protocol endpoints RFC
 * 6749's `{ error, error_description }`, everything else the common body.
 */
function renderFor(req: RequestWithId, exception: unknown, body: ErrorBody): unknown {
  if (exception instanceof JsonRpcException) return exception.toJsonRpc(body);
  if (isMcpPath(req.path)) return toJsonRpcError(body, singleRequestId(req.body));
  return isOAuthPath(req.path) ? toOAuthError(body) : body;
}

/** Maps every error on an HTTP route to the common body (see answerHttpError). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly observer?: HttpErrorObserver) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    answerHttpError(exception, http.getRequest<RequestWithId>(), http.getResponse<Response>(), this.observer);
  }
}

/**
 * The same answer for errors raised by Express middleware (body limits, malformed JSON) before Nest routing: headers,
 * Retry-After and the log of unexpected ones included. No observer: nobody is authenticated yet.
 */
export function expressErrorHandler(
  error: unknown,
  req: RequestWithId,
  res: Response,
  next: (err?: unknown) => void,
): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  answerHttpError(error, req, res);
}
