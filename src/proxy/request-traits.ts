import type { RegisteredServer, ToolPolicy } from '../registry/index.js';
import { type JsonRpcMessage, toolName } from '../common/jsonrpc.js';
import { ownValue } from '../common/own-value.js';

/** Methods safe to repeat when the upstream could not be reached (no response byte was received). */
const RETRYABLE_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
]);

/** The deadline of a request: the tool's own timeout for a single `tools/call`, else the server's. */
export function timeoutFor(server: RegisteredServer, messages: JsonRpcMessage[]): number {
  const [only] = messages;
  return messages.length === 1 && only.method === 'tools/call'
    ? toolTimeout(server, toolName(only))
    : server.timeouts.requestMs;
}

/**
 * The deadline of one call of `tool` (its own timeout, else the server's). A caller may ask for less (`proxy_request`'s
 * `timeout_ms`), never for more than the operator configured.
 */
export function toolTimeout(
  server: RegisteredServer,
  tool: string | undefined,
  requestedMs?: number,
): number {
  const configured =
    (tool === undefined ? undefined : ownValue(server.timeouts.tools, tool)) ?? server.timeouts.requestMs;
  return requestedMs === undefined ? configured : Math.min(requestedMs, configured);
}

/** Only reads and declared-idempotent tools may be sent again. */
export function isRetryable(message: JsonRpcMessage, policy: ToolPolicy): boolean {
  if (!message.method) return false;
  if (message.method === 'tools/call') return policy.isRetryable(toolName(message));
  return RETRYABLE_METHODS.has(message.method);
}
