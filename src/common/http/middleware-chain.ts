import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Runs Express-style middleware in order, outside Express's router: for routes served ahead of it that must still
 * pass through exactly the same middleware instances (request context, metrics, request log, body parser) as every
 * other route. An error passed to `next` or thrown goes to `onError`; after the last one, `done` runs.
 */
export function runChain(
  chain: readonly RequestHandler[],
  req: IncomingMessage,
  res: ServerResponse,
  done: () => void,
  onError: (error: unknown) => void,
): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error !== undefined && error !== null) {
      onError(error);
      return;
    }
    const handler = chain[index++];
    if (!handler) {
      done();
      return;
    }
    try {
      void handler(req as never, res as never, next);
    } catch (thrown) {
      onError(thrown);
    }
  };
  next();
}
