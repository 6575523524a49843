import type { Readable } from 'node:stream';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { isJsonRpcMessage, type JsonRpcMessage } from '../../common/jsonrpc.js';
import { ProxyError } from '../proxy.errors.js';
import { breakReason, parseJsonAnswer, readBounded } from '../response-relay.js';
import { eventData, eventId, SseEventSplitter } from '../sse-events.js';
import type { UpstreamAnswer } from '../upstream-caller.js';
import { headerValue } from '../upstream-responses.js';

/**
 * The response to request `id` in the upstream's answer to the POST that carried it: the JSON body, or the event of
 * the SSE stream that carries it. Whatever the stream sends before it (progress, logging, requests to the client) goes
 * to `aside`; what it sends after is read and dropped, so the connection goes back to the pool whole.
 */
export async function responseTo(
  id: number,
  answer: UpstreamAnswer,
  maxBytes: number,
  aside: (message: JsonRpcMessage) => void,
): Promise<JsonRpcMessage> {
  const { body, headers } = answer.response;
  const contentType = headerValue(headers['content-type']) ?? '';
  try {
    if (contentType.startsWith('text/event-stream')) {
      return await fromEventStream(id, body, maxBytes, aside, () => breakReason(answer.signal));
    }
    if (contentType.startsWith('application/json')) {
      const { messages } = parseJsonAnswer(await readBounded(body, maxBytes));
      const response = messages.find((message) => isResponseTo(id, message));
      for (const message of messages) if (message !== response) aside(message);
      return response ?? unanswered();
    }
  } catch (error) {
    if (error instanceof ProxyError || error instanceof StreamCut) throw error;
    throw breakReason(answer.signal);
  }
  body.destroy();
  throw new ProxyError(
    502,
    ErrorCode.UPSTREAM_PROTOCOL_ERROR,
    `Upstream answered with an unexpected content type: ${contentType.slice(0, 100)}`,
  );
}

/**
 * The upstream closed the stream before the response, after naming an event id: the 2025-11-25 way of saying "resume
 * with Last-Event-ID" (a server with an event store may close a long call's stream on purpose). Not a broken session.
 */
export class StreamCut extends Error {
  constructor(
    readonly lastEventId: string,
    /** The server's `retry:` hint, in ms, when it gave one. */
    readonly retryMs: number | undefined,
  ) {
    super('The upstream closed the stream before the response; it can be resumed');
  }
}

function fromEventStream(
  id: number,
  body: Readable,
  maxBytes: number,
  aside: (message: JsonRpcMessage) => void,
  broken: () => ProxyError,
): Promise<JsonRpcMessage> {
  return new Promise((resolve, reject) => {
    const splitter = new SseEventSplitter(maxBytes);
    let settled = false;
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    const settle = (outcome: () => void) => {
      settled = true;
      outcome();
    };
    const take = (event: string) => {
      lastEventId = eventId(event) ?? lastEventId;
      retryMs = retryOf(event) ?? retryMs;
      const message = messageOf(event);
      if (!message) return;
      if (isResponseTo(id, message)) settle(() => resolve(message));
      else aside(message);
    };
    // Listeners rather than `for await`: leaving that loop early would destroy the stream, and its connection.
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        for (const event of splitter.push(chunk)) if (!settled) take(event);
      } catch {
        body.destroy();
        settle(() =>
          reject(
            new ProxyError(
              502,
              ErrorCode.UPSTREAM_PROTOCOL_ERROR,
              `Upstream event exceeds ${maxBytes} bytes`,
            ),
          ),
        );
      }
    });
    body.on('end', () => {
      if (settled) return;
      const rest = splitter.rest().trim();
      if (rest) take(rest);
      if (settled) return;
      settle(() => reject(lastEventId ? new StreamCut(lastEventId, retryMs) : broken()));
    });
    body.on('error', () => {
      if (!settled) settle(() => reject(broken()));
    });
  });
}

/** The `retry:` of an event in ms, if it has a valid one. */
function retryOf(event: string): number | undefined {
  const line = /^retry: ?(\d+)$/m.exec(event);
  return line ? Number(line[1]) : undefined;
}

/**
 * The JSON-RPC message an event carries, if any: only unnamed or `message` events, as the SDK client read them (data
 * that is not JSON-RPC is skipped, as the relay drops it).
 */
function messageOf(event: string): JsonRpcMessage | undefined {
  const name = /^event: ?(.*)$/m.exec(event)?.[1];
  if (name !== undefined && name !== 'message') return undefined;
  const data = eventData(event);
  if (!data) return undefined;
  try {
    const message: unknown = JSON.parse(data);
    return isJsonRpcMessage(message) ? message : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK client matched ids by number, so an upstream that echoes the id as a string is still understood. */
function isResponseTo(id: number, message: JsonRpcMessage): boolean {
  return (message.id === id || message.id === String(id)) && message.method === undefined;
}

function unanswered(): never {
  throw new ProxyError(
    502,
    ErrorCode.UPSTREAM_PROTOCOL_ERROR,
    'Upstream answered without a response to the request',
  );
}
