import type { ToolPolicy } from '../registry/tool-policy.js';
import {
  errorResponse,
  isRequest,
  JSONRPC_INVALID_PARAMS,
  type JsonRpcMessage,
  toolName,
} from '../common/jsonrpc.js';
import { ProxyErrorCode } from './proxy.errors.js';

export interface PolicyRefusal {
  /** The JSON-RPC answer: one error, or one per request of a batch. */
  body: JsonRpcMessage | JsonRpcMessage[];
  deniedTools: string[];
}

/**
 * Refuses `tools/call` of a tool the caller may not use (not approved, or its role rule not met) before anything
 * goes upstream. A batch with such a call is refused whole, so no part of it runs on a partial decision.
 */
export function refuseDisallowedCalls(
  messages: JsonRpcMessage[],
  policy: ToolPolicy,
): PolicyRefusal | undefined {
  const denied = messages.filter(
    (message) => message.method === 'tools/call' && !policy.mayCall(toolName(message)),
  );
  if (denied.length === 0) return undefined;
  const deniedTools = denied.map((message) => toolName(message));
  const answers = messages.filter(isRequest).map((message) =>
    denied.includes(message)
      ? errorResponse(message.id, JSONRPC_INVALID_PARAMS, `Tool not available: ${toolName(message)}`, {
          code: ProxyErrorCode.TOOL_NOT_ALLOWED,
          statusCode: 403,
        })
      : errorResponse(
          message.id,
          JSONRPC_INVALID_PARAMS,
          'Not executed: the batch contains a refused tool call',
          {
            code: ProxyErrorCode.TOOL_NOT_ALLOWED,
            statusCode: 403,
          },
        ),
  );
  return { body: messages.length === 1 ? answers[0] : answers, deniedTools };
}
