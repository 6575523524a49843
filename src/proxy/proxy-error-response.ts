import type { Response } from 'express';
import { currentRequestContext } from '../common/context/request-context.js';
import { toErrorBody } from '../common/errors/error-body.js';
import { singleRequestId, toJsonRpcError } from '../common/errors/json-rpc.exception.js';
import type { PolicyRefusal } from './inbound-policy.js';
import { ProxyError } from './proxy.errors.js';

/**
 * Answers a proxy refusal as JSON-RPC (MCP clients read that), with the stable code in `error.data` like every other
 * gateway error. Returns false when it cannot: not a ProxyError, or the response has already started.
 */
export function sendProxyError(res: Response, error: unknown): boolean {
  if (!(error instanceof ProxyError) || res.headersSent) return false;
  const body = toErrorBody(error, currentRequestContext()?.correlationId);
  // The same rendering as every other error on an MCP route, answering the request's id when there was one.
  res
    .status(error.getStatus())
    .set(error.headers)
    .json(toJsonRpcError(body, singleRequestId((res.req as { body?: unknown } | undefined)?.body)));
  return true;
}

/** A policy refusal of calls in the body, answered as the upstream would have: JSON-RPC errors for what was owed. */
export function sendRefusal(res: Response, refusal: PolicyRefusal, sessionId: string | undefined): void {
  if (sessionId) res.set('mcp-session-id', sessionId);
  // Only notifications (no request owed an answer): nothing to say, as the transport has it — 202, no body.
  const nothingOwed =
    refusal.body === undefined || (Array.isArray(refusal.body) && refusal.body.length === 0);
  if (nothingOwed) res.status(202).end();
  else res.status(200).json(refusal.body);
}
