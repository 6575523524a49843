import type { RegisteredServer } from '../registry/registry.types.js';
import type { ToolPolicy } from '../registry/tool-policy.js';
import { type JsonRpcMessage, toolName } from './jsonrpc.js';

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
  if (messages.length === 1 && only.method === 'tools/call') {
    return server.timeouts.tools[toolName(only)] ?? server.timeouts.requestMs;
  }
  return server.timeouts.requestMs;
}

/** Only reads and declared-idempotent tools may be sent again. */
export function isRetryable(message: JsonRpcMessage, policy: ToolPolicy): boolean {
  if (!message.method) return false;
  if (message.method === 'tools/call') return policy.isRetryable(toolName(message));
  return RETRYABLE_METHODS.has(message.method);
}
