import { Readable } from 'node:stream';
import type { Response } from 'express';
import type { Dispatcher } from 'undici';
import type { Principal } from '../common/principal.js';
import type { RegisteredServer } from '../registry/registry.types.js';
import { ToolPolicy } from '../registry/tool-policy.js';
import { relayJson, relaySse, type RelayContext } from './response-relay.js';

const approved = { name: 'add', description: 'Adds', inputSchema: { type: 'object' } };
const server = {
  approvedCapabilities: { tools: [approved], prompts: [], resources: [] },
  toolRoles: {},
} as unknown as RegisteredServer;
const principal = { roles: ['user'] } as unknown as Principal;
/** What the upstream sends: the approved tool with a hint added since approval, and a tool never approved. */
const upstreamTools = [
  { ...approved, annotations: { readOnlyHint: true } },
  { name: 'rm', inputSchema: {} },
];

/** A response the relay can write to, keeping what it was sent. */
function capture() {
  let body = '';
  const res = {
    destroyed: false,
    status: () => res,
    set: () => res,
    send: (text: string) => ((body += text), res),
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (text: string) => ((body += text), true),
    end: (text?: string) => {
      if (text) body += text;
    },
    on: () => res,
    off: () => res,
  };
  return { res: res as unknown as Response, body: () => body };
}

function upstream(text: string): Dispatcher.ResponseData {
  return {
    statusCode: 200,
    headers: {},
    body: Readable.from([Buffer.from(text)]),
  } as unknown as Dispatcher.ResponseData;
}

function context(res: Response): RelayContext {
  return {
    res,
    policy: new ToolPolicy(server, principal),
    tasks: { outgoing: (message) => message, incoming: (message) => message },
    maxBytes: 1 << 20,
    pendingIds: new Set(),
    signal: new AbortController().signal,
  };
}

describe('relaying a list of tools', () => {
  it('filters a tools/list result whatever its id, as approved (nothing added since approval)', async () => {
    const out = capture();
    await relayJson(
      upstream(JSON.stringify({ jsonrpc: '2.0', id: null, result: { tools: upstreamTools } })),
      context(out.res),
    );
    expect(JSON.parse(out.body()).result.tools).toEqual([approved]);
  });

  it('filters one replayed on a resumed stream, which answers no request of this exchange', async () => {
    const out = capture();
    const event = `id: s1_7\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 41, result: { tools: upstreamTools } })}\n\n`;
    await relaySse(upstream(event), context(out.res));
    const [idLine, dataLine] = out.body().trim().split('\n');
    expect(idLine).toBe('id: s1_7');
    expect(JSON.parse(dataLine.slice('data: '.length)).result.tools).toEqual([approved]);
  });
});
