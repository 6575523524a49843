import type { toNodeHandler } from '@modelcontextprotocol/node';
import type { Response } from 'express';

/**
 * `res` for the SDK's Node adapter, except that an SSE answer's headers leave at once. The adapter only calls
 * `writeHead`, which Node holds until the first event: a client waiting on a long call would then see nothing, and
 * a replica shutting down could not answer the call with an event on its stream.
 */
export function flushingEventStreams(res: Response): Parameters<ReturnType<typeof toNodeHandler>>[1] {
  return {
    writeHead: (status: number, headers?: Record<string, string>) => {
      res.writeHead(status, headers);
      if (headers?.['content-type']?.startsWith('text/event-stream')) res.flushHeaders();
      return res;
    },
    write: (chunk: string | Uint8Array) => res.write(chunk),
    end: (chunk?: string | Uint8Array) => (chunk === undefined ? res.end() : res.end(chunk)),
    on: (event: string, listener: (...args: unknown[]) => void) => res.on(event, listener),
    get destroyed() {
      return res.destroyed;
    },
  };
}
