import { isRequest, type JsonRpcId, parseIncoming, toolName } from '../proxy/jsonrpc.js';

export interface JsonRpcCost {
  /** Messages in the body (a batch counts each); a body that is not JSON-RPC, or none (GET, DELETE), counts one. */
  cost: number;
  /** The tool of every `tools/call` in the body, in order. */
  toolCalls: string[];
  /** The id to answer a refusal with: the request's when the body is one request, else null. */
  requestId: JsonRpcId | null;
}

/** What a JSON-RPC body costs in rate-limit terms. */
export function jsonRpcCost(body: unknown): JsonRpcCost {
  const messages = body === undefined ? undefined : parseIncoming(body);
  if (!messages) return { cost: 1, toolCalls: [], requestId: null };
  const single = messages.length === 1 && isRequest(messages[0]) ? messages[0].id : null;
  return {
    cost: messages.length,
    toolCalls: messages.filter((message) => message.method === 'tools/call').map(toolName),
    requestId: single ?? null,
  };
}
