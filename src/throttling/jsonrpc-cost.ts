import { isRequest, type JsonRpcId, parseIncoming, toolName } from '../common/jsonrpc.js';

/**
 * Session housekeeping: what a client does to open, keep and close a session rather than to work. It does not spend
 * the caller's per-minute budget (an IDE that opens 20 servers at once must not be throttled); stream and session
 * limits and a generous housekeeping bucket bound it instead.
 */
const HOUSEKEEPING_METHODS = new Set(['initialize', 'notifications/initialized', 'ping']);

export interface JsonRpcCost {
  /** Messages in the body (a batch counts each); a body that is not JSON-RPC, or none (GET, DELETE), counts one. */
  cost: number;
  /** Of `cost`, how much is session housekeeping (initialize, initialized, ping; an MCP GET stream or DELETE). */
  housekeeping: number;
  /** The tool of every `tools/call` in the body, in order. */
  toolCalls: string[];
  /** The id to answer a refusal with: the request's when the body is one request, else null. */
  requestId: JsonRpcId | null;
}

/**
 * What an MCP endpoint's request costs in rate-limit terms. `httpMethod` is the request's: on an MCP endpoint a GET
 * (the listening stream) and a DELETE (ending the session) are housekeeping.
 */
export function jsonRpcCost(body: unknown, httpMethod = 'POST'): JsonRpcCost {
  if (httpMethod === 'GET' || httpMethod === 'DELETE') {
    return { cost: 1, housekeeping: 1, toolCalls: [], requestId: null };
  }
  const messages = body === undefined ? undefined : parseIncoming(body);
  if (!messages) return { cost: 1, housekeeping: 0, toolCalls: [], requestId: null };
  const single = messages.length === 1 && isRequest(messages[0]) ? messages[0].id : null;
  return {
    cost: messages.length,
    housekeeping: messages.filter((message) => HOUSEKEEPING_METHODS.has(message.method ?? '')).length,
    toolCalls: messages.filter((message) => message.method === 'tools/call').map(toolName),
    requestId: single ?? null,
  };
}
