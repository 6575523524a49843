import { Readable } from 'node:stream';
import { ProtocolError } from '@modelcontextprotocol/server';
import { ErrorCode } from '../../common/errors/error-codes.js';
import type { RegisteredServer, ServerEndpoint } from '../../registry/registry.types.js';
import { ProxyError } from '../proxy.errors.js';
import type { UpstreamCall, UpstreamCaller } from '../upstream-caller.js';
import { HttpUpstreamSession, RequestTimedOut } from './upstream-session.js';

const server = { name: 'up', timeouts: { requestMs: 1000, tools: {} } } as unknown as RegisteredServer;
const endpoint = { url: 'http://upstream.test/mcp' } as ServerEndpoint;

interface Sent {
  method: string;
  headers: Record<string, string>;
  message?: { id?: number; method?: string; params?: Record<string, unknown> };
  timeoutMs: number;
}

type Reply = { status?: number; headers?: Record<string, string>; body?: string } | Error;

/** An upstream layer that records each request and answers from `answer` (a plain initialize handshake by default). */
function fakeCaller(answer: (sent: Sent) => Reply | undefined) {
  const sent: Sent[] = [];
  const caller = {
    maxResponseBytes: 1 << 20,
    call: (call: UpstreamCall) => {
      const request: Sent = {
        method: call.request.method,
        headers: call.request.headers,
        message: call.request.body ? JSON.parse(call.request.body) : undefined,
        timeoutMs: call.timeoutMs,
      };
      sent.push(request);
      const reply = answer(request) ?? handshake(request);
      if (reply instanceof Error) return Promise.reject(reply);
      const body = Object.assign(Readable.from(reply.body ? [Buffer.from(reply.body)] : []), {
        dump: () => Promise.resolve(),
      });
      return Promise.resolve({
        response: { statusCode: reply.status ?? 200, headers: reply.headers ?? {}, body },
        endpointUrl: endpoint.url,
        signal: new AbortController().signal,
      });
    },
  };
  return { caller: caller as unknown as UpstreamCaller, sent };
}

let sessions = 0;
function handshake(sent: Sent): Reply {
  if (sent.message?.method === 'initialize') {
    return json(
      sent,
      { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'u', version: '1' } },
      {
        'mcp-session-id': `s${++sessions}`,
      },
    );
  }
  return { status: 202 };
}

function json(sent: Sent, result: unknown, headers: Record<string, string> = {}): Reply {
  return {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: sent.message?.id, result }),
  };
}

const open = (caller: UpstreamCaller) =>
  HttpUpstreamSession.open({
    caller,
    server,
    endpoint,
    credentials: () => Promise.resolve({ authorization: 'Bearer up' }),
    headers: ({ protocolVersion, upstreamSessionId }, extra) =>
      Promise.resolve({
        ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
        ...(upstreamSessionId ? { 'mcp-session-id': upstreamSessionId } : {}),
        ...extra,
        authorization: 'Bearer up',
      }),
  });
const call = { name: 'echo', arguments: { text: 'hi' } };

describe('HttpUpstreamSession', () => {
  it('initializes as the SDK client did, then calls within the session with its id, version and credentials', async () => {
    const { caller, sent } = fakeCaller((request) =>
      request.message?.method === 'tools/call'
        ? json(request, { content: [{ type: 'text', text: 'hi' }] })
        : undefined,
    );
    const session = await open(caller);
    const result = await session.callTool(call, { timeout: 500 });

    expect(result).toEqual({ content: [{ type: 'text', text: 'hi' }] });
    const [initialize, initialized, toolCall] = sent;
    expect(initialize.message).toMatchObject({
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'mcp-registry-gateway' },
      },
    });
    expect(initialize.headers['mcp-session-id']).toBeUndefined();
    expect(initialized.message).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(toolCall.headers).toMatchObject({
      'mcp-session-id': initialized.headers['mcp-session-id'],
      'mcp-protocol-version': '2025-06-18',
      authorization: 'Bearer up',
      accept: 'application/json, text/event-stream',
    });
    expect(toolCall.timeoutMs).toBe(500);
  });

  it('reads the response off an SSE stream, answering a ping the upstream sends first', async () => {
    const { caller, sent } = fakeCaller((request) => {
      if (request.message?.method !== 'tools/call') return undefined;
      const events = [
        { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } },
        { jsonrpc: '2.0', id: 'p1', method: 'ping' },
        { jsonrpc: '2.0', id: request.message.id, result: { content: [], isError: true } },
      ];
      return {
        headers: { 'content-type': 'text/event-stream' },
        body: events.map((event) => `event: message\ndata: ${JSON.stringify(event)}\n\n`).join(''),
      };
    });
    const session = await open(caller);
    expect(await session.callTool(call, { timeout: 500 })).toEqual({ content: [], isError: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((request) => request.message)).toContainEqual({ jsonrpc: '2.0', id: 'p1', result: {} });
  });

  it('initializes again, once, when the upstream has ended the session, and sends the call again', async () => {
    let expired = true;
    const { caller, sent } = fakeCaller((request) => {
      if (request.message?.method !== 'tools/call') return undefined;
      if (expired) return ((expired = false), { status: 404 });
      return json(request, { content: [] });
    });
    const session = await open(caller);
    expect(await session.callTool(call, { timeout: 500 })).toEqual({ content: [] });
    const methods = sent.map((request) => request.message?.method);
    expect(methods).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/call',
      'initialize',
      'notifications/initialized',
      'tools/call',
    ]);
    expect(sent[5].headers['mcp-session-id']).not.toBe(sent[2].headers['mcp-session-id']);
  });

  it("passes the upstream's JSON-RPC error on as the ProtocolError the SDK client raised", async () => {
    const { caller } = fakeCaller((request) =>
      request.message?.method === 'prompts/get'
        ? {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: request.message.id,
              error: { code: -32602, message: 'no' },
            }),
          }
        : undefined,
    );
    const session = await open(caller);
    const failure = session.getPrompt({ name: 'p' }, { timeout: 500 });
    await expect(failure).rejects.toBeInstanceOf(ProtocolError);
    await expect(failure).rejects.toMatchObject({ code: -32602, message: 'no' });
  });

  it('refuses a result that is not one as an upstream protocol error, and fills in missing content', async () => {
    const results: unknown[] = [[1], { content: 'text' }, { structuredContent: { a: 1 } }];
    const { caller } = fakeCaller((request) =>
      request.message?.method === 'tools/call' ? json(request, results.shift()) : undefined,
    );
    const session = await open(caller);
    for (let i = 0; i < 2; i++) {
      await expect(session.callTool(call, { timeout: 500 })).rejects.toMatchObject({
        code: ErrorCode.UPSTREAM_PROTOCOL_ERROR,
      });
    }
    expect(await session.callTool(call, { timeout: 500 })).toEqual({
      content: [],
      structuredContent: { a: 1 },
    });
  });

  it('turns a passed deadline into "Request timed out" and tells the upstream the call is cancelled', async () => {
    const { caller, sent } = fakeCaller((request) =>
      request.message?.method === 'tools/call'
        ? new ProxyError(504, ErrorCode.UPSTREAM_TIMEOUT, 'The upstream did not answer in time')
        : undefined,
    );
    const session = await open(caller);
    await expect(session.callTool(call, { timeout: 500 })).rejects.toBeInstanceOf(RequestTimedOut);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.at(-1)?.message).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: sent.at(-2)?.message?.id },
    });
  });

  it('ends the session upstream with a DELETE when closed', async () => {
    const { caller, sent } = fakeCaller(() => undefined);
    const session = await open(caller);
    await session.close();
    expect(sent.at(-1)).toMatchObject({
      method: 'DELETE',
      headers: { 'mcp-session-id': expect.any(String) },
    });
  });
});
