import {
  type CallToolResult,
  type GetPromptResult,
  ProtocolError,
  type ReadResourceResult,
} from '@modelcontextprotocol/server';
import { ErrorCode } from '../../common/errors/error-codes.js';
import type { JsonRpcMessage } from '../../common/jsonrpc.js';
import { ProxyError } from '../proxy.errors.js';

/**
 * What an upstream's response to a federated call comes to: its result, checked where the gateway reads it (cheaply,
 * not against the whole schema: the client's own SDK validates what it receives), or its JSON-RPC error as the same
 * ProtocolError the SDK client raised, so the client sees the upstream's code and message.
 */
export function resultOf(method: string, response: JsonRpcMessage): Record<string, unknown> {
  const error = response.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
  if (error !== undefined) {
    if (typeof error.code !== 'number' || typeof error.message !== 'string') throw invalidAnswer(method);
    throw ProtocolError.fromError(error.code, error.message, error.data);
  }
  const result: unknown = response.result;
  if (!isObject(result)) throw invalidAnswer(method);
  // A 2026-era marker the SDK's 2025 codec dropped from results; kept out so the client sees what it saw before.
  if (!('resultType' in result)) return result;
  const { resultType: _dropped, ...rest } = result;
  return rest;
}

export function toolResult(result: Record<string, unknown>): CallToolResult {
  // The SDK client filled in a missing `content` (its schema's default): the client gets what it got then.
  if (result.content === undefined) return { ...result, content: [] };
  if (!Array.isArray(result.content)) throw invalidAnswer('tools/call');
  return result as CallToolResult;
}

export function promptResult(result: Record<string, unknown>): GetPromptResult {
  if (!Array.isArray(result.messages)) throw invalidAnswer('prompts/get');
  return result as GetPromptResult;
}

/** Each content's URI is rewritten into the federated scheme, so they must be objects with one. */
export function resourceResult(result: Record<string, unknown>): ReadResourceResult {
  const { contents } = result;
  if (
    !Array.isArray(contents) ||
    !contents.every((content) => isObject(content) && typeof content.uri === 'string')
  )
    throw invalidAnswer('resources/read');
  return result as ReadResourceResult;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidAnswer(method: string): ProxyError {
  return new ProxyError(
    502,
    ErrorCode.UPSTREAM_PROTOCOL_ERROR,
    `Upstream answered ${method} with something other than its result`,
  );
}
