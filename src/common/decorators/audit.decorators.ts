import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { AuditOutcome, AuditSurface } from '../audit-vocabulary.js';

export const AUDITED_ELSEWHERE = 'mreg:audit:elsewhere';
export const AUDIT_ACTION = 'mreg:audit:action';
export const AUDIT_SERVER_PARAM = 'mreg:audit:server-param';

export interface AuditActionOptions {
  action: string;
  surface?: AuditSurface;
  /** Overrides a successful outcome from the request (a consent page answered "deny" is a success HTTP-wise). */
  outcome?: (req: Request) => AuditOutcome | undefined;
  /** Client errors (4xx) are refusals here, recorded as `denied` (a token request with a bad code). */
  refusalsAreDenials?: boolean;
}

/**
 * Names what a route does in the audit trail, and makes it audited even for GET. Without it, every non-GET route is
 * audited under `{controller}.{handler}`: new routes are covered by default.
 */
export const AuditAction = (options: AuditActionOptions): MethodDecorator =>
  SetMetadata(AUDIT_ACTION, options);

/** The controller records its own, finer-grained events (one per proxied JSON-RPC message, one per MCP tool call). */
export const AuditedElsewhere = (): ClassDecorator => SetMetadata(AUDITED_ELSEWHERE, true);

/** The route parameter that holds the server id, recorded in the event's `server_id`. */
export const AuditServerParam = (name: string): ClassDecorator => SetMetadata(AUDIT_SERVER_PARAM, name);
