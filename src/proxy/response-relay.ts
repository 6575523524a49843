import type { ServerResponse } from 'node:http';
import type { Response } from 'express';
import type { Dispatcher } from 'undici';
import type { ToolPolicy } from '../registry/index.js';
import { isJsonRpcMessage, type JsonRpcId, type JsonRpcMessage } from '../common/jsonrpc.js';
import { GATEWAY_RESTARTING } from '../observability/drainable-requests.js';
import type { RegisteredStream } from '../observability/open-streams.js';
import { ProxyError } from './proxy.errors.js';
import { eventData, eventId, SseEventSplitter, withEventData } from './sse-events.js';
import { ClientGone, TimeoutSignal } from './upstream-caller.js';
import type { CallerTasks } from './task-handles.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { toJsonRpcError } from '../common/errors/json-rpc.exception.js';
import { type ErrorBody, toErrorBody } from '../common/errors/error-body.js';

export interface RelayContext {
  res: Response;
  policy: ToolPolicy;
  /** The caller's task handles: every task id the upstream names is replaced by one. */
  tasks: CallerTasks;
  /** The client-facing session id to send, if any. */
  sessionId?: string;
  maxBytes: number;
  /** Requests still waiting for their response: if the stream breaks, each gets a JSON-RPC error. */
  pendingIds: Set<JsonRpcId>;
  signal: AbortSignal;
  /** Sees every JSON-RPC message coming back (the audit trail reads each response's outcome). */
  observe?: (message: JsonRpcMessage) => void;
}

/** Why an upstream exchange broke off, as the client should hear it. */
export function breakReason(signal: AbortSignal): ProxyError {
  if (signal.aborted && signal.reason instanceof TimeoutSignal)
    return new ProxyError(504, ErrorCode.UPSTREAM_TIMEOUT, 'The upstream did not answer in time');
  // The audit trail must not blame the upstream for a client that hung up (nginx's 499, "client closed request").
  if (signal.aborted && signal.reason instanceof ClientGone)
    return new ProxyError(499, ErrorCode.CLIENT_CLOSED, 'The client closed the request');
  return new ProxyError(502, ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream broke off the response');
}

/**
 * Rewrites a result that lists tools: only the tools the caller may call, as approved. Recognised by its shape, not by
 * the id of a request seen in this exchange: a result replayed on a resumed (GET) stream, or answering a request
 * with a null id, is filtered just the same.
 */
function filterMessage(upstream: JsonRpcMessage, context: RelayContext): JsonRpcMessage {
  const message = context.tasks.outgoing(upstream);
  if (message.result && Array.isArray(message.result.tools)) {
    return { ...message, result: context.policy.filterList(message.result) };
  }
  return message;
}

/** An upstream body read whole, refused past `maxBytes`. */
export async function readBounded(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new ProxyError(
        502,
        ErrorCode.UPSTREAM_PROTOCOL_ERROR,
        `Upstream response exceeds ${maxBytes} bytes`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sessionHeaders(context: RelayContext): Record<string, string> {
  return context.sessionId ? { 'mcp-session-id': context.sessionId } : {};
}

/** An upstream's JSON answer: one JSON-RPC message or a batch of them, else UPSTREAM_PROTOCOL_ERROR. */
export function parseJsonAnswer(text: string): { parsed: unknown; messages: JsonRpcMessage[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProxyError(502, ErrorCode.UPSTREAM_PROTOCOL_ERROR, 'Upstream answered with invalid JSON');
  }
  const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
    throw new ProxyError(
      502,
      ErrorCode.UPSTREAM_PROTOCOL_ERROR,
      'Upstream answered with something other than JSON-RPC',
    );
  }
  return { parsed, messages };
}

/** A JSON response: read (bounded), checked to be JSON-RPC, filtered, sent. */
export async function relayJson(response: Dispatcher.ResponseData, context: RelayContext): Promise<void> {
  const text = await readBounded(response.body, context.maxBytes);
  const { parsed, messages } = parseJsonAnswer(text);
  if (context.observe) for (const message of messages) context.observe(message);
  const filtered = messages.map((message) => filterMessage(message, context));
  // Only a filtered tools/list or a named task is re-serialised; anything else goes out exactly as the upstream sent it.
  const rewritten = filtered.some((message, index) => message !== messages[index]);
  const body = rewritten ? JSON.stringify(Array.isArray(parsed) ? filtered : filtered[0]) : text;
  writeJson(context.res, response.statusCode, body, context.sessionId);
}

/**
 * A JSON answer of the proxy, with the client's session id: plain Node rather than Express's send, so no ETag of every
 * answer on the hot path (nobody revalidates a POST).
 */
export function writeJson(
  res: ServerResponse,
  statusCode: number,
  body: string | Buffer,
  sessionId: string | undefined,
  headers: Record<string, string> = {},
): void {
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...headers,
  });
  res.end(body);
}

/** Rewrites an SSE event if it carries a message to filter; drops data that is not JSON-RPC. */
function relayedEvent(event: string, context: RelayContext): string | undefined {
  const data = eventData(event);
  if (data === undefined || data === '') return event;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isJsonRpcMessage(message)) return undefined;
  context.observe?.(message);
  if (message.method === undefined && message.id !== undefined && message.id !== null) {
    context.pendingIds.delete(message.id);
  }
  const filtered = filterMessage(message, context);
  return filtered === message ? event : withEventData(event, JSON.stringify(filtered));
}

/** Why the relay of a stream stopped early because this process is shutting down. */
class StreamClosedForShutdown extends Error {}

/**
 * An SSE response, relayed event by event as it arrives (progress, logging, server-to-client requests and the final
 * response), flushed per event. Ends when the upstream ends; a broken upstream ends the client's stream too. `stream`
 * is its entry in the register of open streams: the relay tells it how shutdown ends the stream in a way the client
 * resumes (see `endForShutdown`); whoever registered it releases it.
 */
export async function relaySse(
  response: Dispatcher.ResponseData,
  context: RelayContext,
  stream?: RegisteredStream,
): Promise<void> {
  const { res } = context;
  res.writeHead(response.statusCode, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    ...sessionHeaders(context),
  });
  res.flushHeaders();
  const splitter = new SseEventSplitter(context.maxBytes);
  let lastEventId: string | undefined;
  let resumeAfterMs: number | undefined;
  const relay = async (event: string) => {
    const relayed = relayedEvent(event, context);
    if (relayed === undefined) return;
    await writeWithBackpressure(res, `${relayed}\n\n`);
    lastEventId = eventId(relayed) ?? lastEventId;
  };
  stream?.closableAs({
    // A POST's stream carries answers still owed; a GET (standalone or resumed) stream owes nothing of its own.
    kind: context.pendingIds.size > 0 ? 'request' : 'listening',
    closeResumably: (retryMs) => {
      resumeAfterMs = retryMs;
      response.body.destroy(new StreamClosedForShutdown());
    },
  });
  try {
    for await (const chunk of response.body) {
      for (const event of splitter.push(chunk as Buffer)) await relay(event);
    }
    const rest = splitter.rest().trim();
    if (rest) await relay(rest);
  } catch {
    response.body.destroy();
    if (resumeAfterMs !== undefined) endForShutdown(context, lastEventId, resumeAfterMs);
    // The upstream broke off, timed out or sent an oversized event: every request still waiting gets its error, so
    // the client is not left hanging.
    else failPending(context, toErrorBody(breakReason(context.signal), undefined));
  } finally {
    res.end();
  }
}

/**
 * Shutdown reached a stream that is still open. With an event id the client has seen, it reconnects (after `retry`)
 * with Last-Event-ID, reaches another replica and the upstream replays what followed: nothing is lost. Without one
 * the stream cannot be resumed, so each answer still owed becomes a retryable error instead of never arriving.
 */
function endForShutdown(context: RelayContext, lastEventId: string | undefined, retryMs: number): void {
  // An empty id resets the client's last event id (SSE rules): nothing to resume from either.
  if (!lastEventId) {
    failPending(context, GATEWAY_RESTARTING);
  } else {
    // The answers will reach the client through the resumed stream, on another replica: this one's audit trail says
    // where its calls went rather than that they failed.
    for (const id of context.pendingIds) {
      context.observe?.(toJsonRpcError(HANDED_OFF, id));
    }
  }
  if (!context.res.destroyed) context.res.write(`retry: ${retryMs}\n\n`);
}

/** What the audit trail records of a call whose stream this replica closed for the client to resume elsewhere. */
const HANDED_OFF: ErrorBody = {
  statusCode: 503,
  code: ErrorCode.STREAM_HANDED_OFF,
  message: 'Handed off to a resumed stream',
};

function failPending(context: RelayContext, reason: ErrorBody): void {
  for (const id of context.pendingIds) {
    const error = toJsonRpcError(reason, id);
    context.observe?.(error);
    if (!context.res.destroyed) context.res.write(`event: message\ndata: ${JSON.stringify(error)}\n\n`);
  }
}

/**
 * Writes and, when the client reads slower than the upstream sends, waits for it to drain: reading from the upstream
 * pauses meanwhile (TCP pushes back on it), so a slow client never makes the gateway buffer a whole stream.
 */
export async function writeWithBackpressure(res: ServerResponse, text: string | Buffer): Promise<void> {
  if (res.write(text) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Anything else (202 for notifications, plain errors): status and a bounded body, passed through. */
export async function relayOther(response: Dispatcher.ResponseData, context: RelayContext): Promise<void> {
  const text = await readBounded(response.body, context.maxBytes);
  const contentType = response.headers['content-type'];
  context.res.status(response.statusCode).set(sessionHeaders(context));
  if (typeof contentType === 'string') context.res.set('content-type', contentType);
  context.res.send(text);
}
