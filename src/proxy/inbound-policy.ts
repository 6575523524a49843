import type { ToolPolicy } from '../registry/index.js';
import { isRequest, JSONRPC_INVALID_PARAMS, type JsonRpcMessage, toolName } from '../common/jsonrpc.js';
import type { CallerTasks } from './task-handles.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { ErrorBody } from '../common/errors/error-body.js';
import { toJsonRpcError } from '../common/errors/json-rpc.exception.js';

export interface PolicyRefusal {
  /** The JSON-RPC answer: one error, or one per request of a batch. */
  body: JsonRpcMessage | JsonRpcMessage[];
  /** The stable code the audit trail records. */
  code: ErrorCode;
  deniedTools: string[];
}

/** Why one message is refused, as the common error body. */
type Refused = ErrorBody & { code: ErrorCode };

/**
 * Refuses `tools/call` of a tool the caller may not use (not approved, or its role rule not met) before anything
 * goes upstream. A batch with such a call is refused whole, so no part of it runs on a partial decision.
 */
export function refuseDisallowedCalls(
  messages: JsonRpcMessage[],
  policy: ToolPolicy,
): PolicyRefusal | undefined {
  const refused = new Map<JsonRpcMessage, Refused>();
  for (const message of messages) {
    if (message.method === 'tools/call' && !policy.mayCall(toolName(message))) {
      refused.set(message, {
        message: `Tool not available: ${toolName(message)}`,
        code: ErrorCode.TOOL_NOT_ALLOWED,
        statusCode: 403,
      });
    }
  }
  return refusal(messages, refused, [...refused.keys()].map(toolName));
}

/**
 * The messages as the upstream must see them: the caller's task handles turned back into the upstream's task ids.
 * A handle that is not the caller's (another user's, or made up) is an unknown task. `tasks/list` is not relayed:
 * the upstream sees one identity for every user (the gateway's credentials) and would list all of their tasks.
 * Either refuses the whole body, as a refused tool call does.
 */
export function resolveTaskHandles(
  messages: JsonRpcMessage[],
  tasks: CallerTasks,
): { messages: JsonRpcMessage[] } | PolicyRefusal {
  const refused = new Map<JsonRpcMessage, Refused>();
  const resolved = messages.map((message) => {
    if (message.method === 'tasks/list') {
      refused.set(message, {
        message: 'tasks/list is not relayed: use the task handles your own calls returned',
        code: ErrorCode.NOT_AVAILABLE,
        statusCode: 403,
      });
      return message;
    }
    const upstream = tasks.incoming(message);
    if (upstream) return upstream;
    refused.set(message, { message: 'Task not found', code: ErrorCode.TASK_NOT_FOUND, statusCode: 404 });
    return message;
  });
  return refusal(messages, refused, []) ?? { messages: resolved };
}

function refusal(
  messages: JsonRpcMessage[],
  refused: Map<JsonRpcMessage, Refused>,
  deniedTools: string[],
): PolicyRefusal | undefined {
  const [first] = refused.values();
  if (!first) return undefined;
  const answers = messages.filter(isRequest).map((message) => {
    const reason = refused.get(message);
    const answer = reason ?? { ...first, message: 'Not executed: the batch contains a refused request' };
    return toJsonRpcError(answer, message.id, JSONRPC_INVALID_PARAMS);
  });
  return { body: messages.length === 1 ? answers[0] : answers, code: first.code, deniedTools };
}
