import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  readonly correlationId: string;
  /** Filled in as the request is understood (after authentication, server lookup, tool routing), for every log line. */
  tenantId?: string;
  principalOid?: string;
  serverId?: string;
  tool?: string;
  /** Set by a call that relays one request to an upstream (proxy_request, the router): what its audit event records. */
  relayed?: RelayedCall;
}

/**
 * What a relaying call adds to its audit event beyond the context's `serverId` and `tool` (the server it resolved
 * and the upstream tool, or resource URI, the relayed request named).
 */
export interface RelayedCall {
  method: string;
  /** The resolved server's audit redaction keys. */
  redactKeys: readonly string[];
  /** The stable code of the relayed request's failure, when the relaying call itself answered (`success: false`). */
  failureCode?: string;
}

/** Adds what is now known about the request to its context (no-op outside a request). */
export function describeRequest(fields: Omit<Partial<RequestContext>, 'correlationId'>): void {
  const context = storage.getStore();
  if (context) Object.assign(context, fields);
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being served on this async path, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export const CORRELATION_HEADER = 'x-request-id';
/** Accept a caller's id only when it is short and plain, so it cannot inject into logs or headers. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type RequestWithId = Request & { id?: string };

/**
 * First middleware of every request: adopts or generates the correlation id, echoes it on the response and runs
 * the rest of the request inside an AsyncLocalStorage context, so every log line of the request can carry it.
 */
export function requestContextMiddleware(req: RequestWithId, res: Response, next: NextFunction): void {
  const offered = req.headers[CORRELATION_HEADER];
  const correlationId = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  req.id = correlationId;
  res.setHeader(CORRELATION_HEADER, correlationId);
  storage.run({ correlationId }, next);
}
