import type { IncomingHttpHeaders } from 'node:http';
import { type JsonRpcMessage } from '../common/jsonrpc.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { toJsonRpcError } from '../common/errors/json-rpc.exception.js';

/** JSON-RPC error code of a request whose mirrored headers disagree with its body (MCP 2026-07-28, SEP-2243). */
export const HEADER_MISMATCH_CODE = -32020;

/** The body field each name-bearing method's `Mcp-Name` header mirrors. */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};
const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** More `Mcp-Param-*` headers than any tool plausibly declares: refused rather than relayed. */
const MAX_PARAM_HEADERS = 64;

export type MirroredHeaders =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; status: 400; body: JsonRpcMessage; code: ErrorCode.HEADER_MISMATCH };

/**
 * The 2026-07-28 request headers that mirror the body (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`), to forward unchanged:
 * an upstream of that revision requires them. An intermediary that acts on the body must not relay headers that
 * say something else (the upstream or another hop could act on them), so `Mcp-Method` and `Mcp-Name` are checked
 * against the one message they describe here, with the protocol's own error (-32020, HTTP 400). `Mcp-Param-*` values
 * mirror tool arguments through the tool's own schema annotations; the upstream checks those against its schema.
 */
export function mirroredHeaders(headers: IncomingHttpHeaders, messages: JsonRpcMessage[]): MirroredHeaders {
  const forwarded: Record<string, string> = {};
  let params = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    if (name === 'mcp-method' || name === 'mcp-name') forwarded[name] = value;
    else if (name.startsWith('mcp-param-')) {
      if (++params > MAX_PARAM_HEADERS)
        return mismatch(messages, `more than ${MAX_PARAM_HEADERS} Mcp-Param headers`);
      forwarded[name] = value;
    }
  }
  const method = forwarded['mcp-method'];
  const nameHeader = forwarded['mcp-name'];
  if (method === undefined && nameHeader === undefined) return { ok: true, headers: forwarded };
  const [message] = messages;
  if (messages.length !== 1)
    return mismatch(messages, 'Mcp-Method and Mcp-Name describe one message, not a batch');
  if (method !== undefined && trimOws(method) !== message.method) {
    return mismatch(
      messages,
      `the body names method ${message.method} but the Mcp-Method header names ${method}`,
    );
  }
  const field = message.method === undefined ? undefined : NAME_SOURCE[message.method];
  const bodyValue = field === undefined ? undefined : message.params?.[field];
  if (nameHeader !== undefined) {
    // An Mcp-Name the body does not carry would name something the gateway never checked: refused, not relayed.
    if (typeof bodyValue !== 'string') {
      return mismatch(
        messages,
        `Mcp-Name is sent, but the body of ${message.method ?? 'a response'} names nothing`,
      );
    }
    if (decodeHeaderValue(trimOws(nameHeader)) !== bodyValue) {
      return mismatch(
        messages,
        `the body carries params.${field}="${bodyValue}" but the Mcp-Name header does not`,
      );
    }
  }
  return { ok: true, headers: forwarded };
}

/** A header value as the protocol encodes it: plain, or `=?base64?…?=` for what a header cannot carry. */
function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX)) return value;
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!BASE64.test(encoded)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
}

const trimOws = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

function mismatch(messages: JsonRpcMessage[], reason: string): MirroredHeaders {
  const [first] = messages;
  const id = messages.length === 1 && first.id !== undefined ? first.id : null;
  return {
    ok: false,
    status: 400,
    code: ErrorCode.HEADER_MISMATCH,
    body: toJsonRpcError(
      {
        statusCode: 400,
        code: ErrorCode.HEADER_MISMATCH,
        message: `Header mismatch: ${reason.slice(0, 300)}`,
      },
      id,
      HEADER_MISMATCH_CODE,
    ),
  };
}
