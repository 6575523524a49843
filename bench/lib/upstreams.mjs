/**
 * The upstreams the bench measures against, each in its own process on 127.0.0.1:
 * - the official reference server (@modelcontextprotocol/server-everything, streamable HTTP): stateful, one server
 *   instance per session, answers POSTs with SSE, keeps an event store per session; what real upstreams look like;
 * - the fast upstream (bench/upstream.mjs): stateless, JSON answers; the best case for a proxy's overhead ratio;
 * - the tools upstream (bench/tools-upstream.mjs): n tools per path, for tools/list;
 * - a raw pass-through forwarder in front of any of them (bench/forwarder.mjs), the ceiling for a proxy.
 */
import { freePort, startChild } from './children.mjs';

const EVERYTHING = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

/**
 * @returns `{ url, pid, tool, argument }`: its MCP endpoint and how to call its echo tool. The server echoes
 * `message` as "Echo: <message>".
 */
export async function startEverything() {
  const port = await freePort();
  // Its only CLI is `index.js <transport>` with the port in PORT; it says "listening on port" on stderr and logs
  // every request on stdout (kept: that is part of what this upstream costs).
  const { pid } = await startChild(
    'server-everything',
    ['--import', './bench/lib/loopback-only.mjs', EVERYTHING, 'streamableHttp'],
    { env: { PORT: String(port) }, ready: /listening on port/, stream: 'stderr' },
  );
  return {
    name: 'everything',
    description: '@modelcontextprotocol/server-everything: stateful, SSE answers',
    url: `http://127.0.0.1:${port}/mcp`,
    pid,
    tool: 'echo',
    argument: 'message',
  };
}

/** The fast upstream; its echo tool takes `text`. */
export async function startFast() {
  const { pid, match } = await startChild('bench/upstream.mjs', ['bench/upstream.mjs'], {
    ready: /^http\S+/m,
  });
  return {
    name: 'fast',
    description: 'bench/upstream.mjs: SDK, stateless, JSON answers',
    url: match[0],
    pid,
    tool: 'echo',
    argument: 'text',
  };
}

/** A forwarder to `url`; resolves with its URL (same path) and its process id. */
export async function startForwarder(url) {
  const { match, pid } = await startChild('bench/forwarder.mjs', ['bench/forwarder.mjs', url], {
    ready: /^http\S+/m,
  });
  return { url: match[0], pid };
}

/** The tools upstream; `urlFor(n)` is the endpoint that lists n tools. */
export async function startToolsUpstream() {
  const { match } = await startChild('bench/tools-upstream.mjs', ['bench/tools-upstream.mjs'], {
    ready: /^http\S+/m,
  });
  return { urlFor: (count) => `${match[0]}/tools/${count}/mcp` };
}
