import type { RequestHandler } from 'express';
import { GatewayException } from '../errors/gateway.exception.js';
import { ErrorCode } from '../errors/error-codes.js';

/** NUL and unpaired UTF-16 surrogates: PostgreSQL text and jsonb refuse both, and no real id or name holds one. */
export const UNSTORABLE_TEXT =
  // eslint-disable-next-line no-control-regex -- matching NUL is the point.
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first place in `value` (strings and keys, nested) that holds unstorable text, as a dotted path; or undefined. */
export function unstorableAt(value: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [current, at] = stack.pop()!;
    if (typeof current === 'string') {
      if (UNSTORABLE_TEXT.test(current)) return at;
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current)) {
      for (const [key, child] of Object.entries(current)) {
        if (UNSTORABLE_TEXT.test(key)) return at;
        stack.push([child, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

const invalidText = (where: string) =>
  new GatewayException(
    400,
    ErrorCode.INVALID_TEXT,
    `${where} holds a NUL character or an unpaired UTF-16 surrogate; no id, name, filter or setting can contain one`,
  );

/**
 * Refuses, with 400 INVALID_TEXT, a request whose path or query, or (outside the proxied MCP endpoints) whose body,
 * holds text PostgreSQL cannot store: otherwise it reaches a query and surfaces as a 500. Bodies relayed to an
 * upstream (`/servers/{id}/mcp`, `/federated/mcp`) are the upstream's business and pass unchanged.
 */
export function textHygiene(relayedPrefixes: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(invalidText('The path'));
    }
    if (UNSTORABLE_TEXT.test(path)) return next(invalidText('The path'));
    const query = unstorableAt(req.query, 'query');
    if (query) return next(invalidText(`The query parameter "${query.slice('query.'.length)}"`));
    if (relayedPrefixes.some((prefix) => req.path.startsWith(prefix))) return next();
    const body = unstorableAt(req.body, 'body');
    if (body) return next(invalidText(body === 'body' ? 'The body' : `The body field "${body.slice(5)}"`));
    next();
  };
}
