/** Minimal JSON-RPC 2.0 shapes the proxy inspects; everything else passes through untouched. */
export type JsonRpcId = string | number;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export const JSONRPC_INVALID_PARAMS = -32602;
/** Implementation-defined server error; `error.data.code` carries the gateway's stable code. */
export const JSONRPC_SERVER_ERROR = -32000;

export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return false;
  if (message.method !== undefined && typeof message.method !== 'string') return false;
  if (message.params !== undefined && (typeof message.params !== 'object' || message.params === null))
    return false;
  const id = message.id;
  return id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
}

/** A request or notification body: one message or a non-empty batch of them; undefined when malformed. */
export function parseIncoming(body: unknown): JsonRpcMessage[] | undefined {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) return undefined;
  return messages;
}

export const isRequest = (message: JsonRpcMessage): boolean =>
  message.method !== undefined && message.id !== undefined && message.id !== null;

export function errorResponse(
  id: JsonRpcId | null | undefined,
  code: number,
  message: string,
  data?: Record<string, unknown>,
): JsonRpcMessage {
  return { jsonrpc: '2.0', id: id ?? null, error: { code, message, ...(data ? { data } : {}) } };
}

/** The message of a body (the first of a batch), unchecked. */
export function firstMessage(body: unknown): JsonRpcMessage {
  return (Array.isArray(body) ? body[0] : body) as JsonRpcMessage;
}

/** The method a JSON-RPC body carries (the first of a batch, bounded), or `fallback` (GET, DELETE, garbage). */
export function methodOf(body: unknown, fallback: string): string {
  const message = firstMessage(body) as { method?: unknown } | undefined;
  return typeof message?.method === 'string' ? message.method.slice(0, 100) : fallback;
}

/** The tool a `tools/call` names ('' when it names none). */
export function toolName(message: JsonRpcMessage): string {
  const name = message.params?.name;
  return typeof name === 'string' ? name : '';
}
