import type { RequestHandler } from 'express';

/** Deeper than any real MCP or REST payload; deep enough nesting would overflow the stack of whoever serialises it. */
export const MAX_JSON_DEPTH = 64;

/** The parse error body-parser-style errors are mapped by (see toErrorBody). */
export const JSON_TOO_DEEP = 'entity.too.deep';

/**
 * Refuses a parsed JSON body nested deeper than `maxDepth` with 400 BODY_TOO_DEEP, before any handler serialises,
 * walks or forwards it (JSON.stringify of a body a few thousand levels deep throws a RangeError: a 500 otherwise).
 */
export function jsonDepthLimit(maxDepth = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && deeperThan(body, maxDepth)) {
      next({ type: JSON_TOO_DEEP, maxDepth });
      return;
    }
    next();
  };
}

/** Iterative, so that measuring a hostile body cannot itself overflow the stack. */
export function deeperThan(root: object, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > maxDepth) return true;
    const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
