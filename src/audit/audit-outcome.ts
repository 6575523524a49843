import { toErrorBody } from '../common/errors/error-body.js';
import type { AuditOutcome } from './audit.types.js';

/** Statuses that mean "you may not", as opposed to "it failed". */
const DENIAL_STATUSES = new Set([401, 403, 429]);

export function outcomeForStatus(status: number, refusalsAreDenials = false): AuditOutcome {
  if (status < 400) return 'success';
  if (DENIAL_STATUSES.has(status) || (refusalsAreDenials && status < 500)) return 'denied';
  return 'error';
}

/**
 * The stable code of a JSON-RPC error (an answer's `error`, or a thrown ProtocolError): the gateway's own
 * `data.code` where there is one, else `JSONRPC_<code>`. Every proxy path records upstream errors this way.
 */
export function jsonRpcErrorCode(error: { code: number; data?: unknown }): string {
  const data = error.data as { code?: unknown } | undefined;
  return typeof data?.code === 'string' ? data.code : `JSONRPC_${error.code}`;
}

/** Status and stable code of anything thrown, as the common error body names them (one error model, one mapping). */
export function describeError(error: unknown): { status: number; code: string } {
  const body = toErrorBody(error, undefined);
  return { status: body.statusCode, code: body.code };
}
