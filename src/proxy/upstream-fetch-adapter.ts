import { setMaxListeners } from 'node:events';
import { Readable } from 'node:stream';
import type { FetchLike } from '@modelcontextprotocol/client';
import { ByteBudget } from '../common/http/byte-budget.js';
import type { RegisteredServer, ServerEndpoint } from '../registry/index.js';
import type { UpstreamCaller } from './upstream-caller.js';

/** Requests one upstream session may have in flight before Node warns about listeners on its shared signal. */
const CONCURRENT_REQUESTS_PER_SESSION = 1_000;

function headerRecord(headers: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(headers).forEach((value, key) => (record[key] = value));
  return record;
}

/**
 * A `fetch` for the MCP SDK client that goes through the proxy's own upstream layer (connection pools, SSRF guard,
 * circuit breaker, deadline), so tools like `proxy_request` use exactly the path the transparent proxy uses.
 */
export function fetchThroughCaller(
  caller: UpstreamCaller,
  server: RegisteredServer,
  endpoint: ServerEndpoint,
  timeoutMs: number,
  /** Evaluated per request, so short-lived (on-behalf-of) tokens are renewed as they expire. */
  credentials: () => Promise<Record<string, string>>,
): FetchLike {
  const origin = new URL(endpoint.url).origin;
  return async (url, init) => {
    const target = new URL(url instanceof URL ? url.href : String(url));
    // Legacy SSE servers name their message URL in the stream; it must stay on the registered endpoint's origin.
    if (target.origin !== origin) throw new Error(`upstream pointed to another origin (${target.origin})`);
    const method = (init?.method ?? 'GET').toUpperCase() as 'GET' | 'POST' | 'DELETE';
    // The SDK hands every request of a transport the same signal; each request in flight listens on it until it ends.
    // Many concurrent calls on one upstream session are normal here, not a leak: no MaxListenersExceededWarning.
    if (init?.signal) setMaxListeners(CONCURRENT_REQUESTS_PER_SESSION, init.signal);
    const answer = await caller.call({
      endpoint,
      targetUrl: target.href,
      // The SDK aborts when it closes a transport or times a request out: the upstream request ends with it.
      signal: init?.signal ?? undefined,
      server,
      retryable: false,
      timeoutMs: method === 'GET' ? 0 : timeoutMs,
      request: {
        method,
        headers: { ...headerRecord(init?.headers), ...(await credentials()) },
        body: typeof init?.body === 'string' ? init.body : undefined,
        bodyTimeoutMs: method === 'GET' ? 0 : timeoutMs,
      },
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.response.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    }
    const status = answer.response.statusCode;
    const body =
      status === 204 || status === 304 ? null : (Readable.toWeb(answer.response.body) as ReadableStream);
    // The SDK reads a JSON answer whole, and an event until its end, into memory: both bounded here, as the relay
    // bounds them on the transparent path.
    const budget = new ByteBudget(
      caller.maxResponseBytes,
      (limit) => new Error(`the upstream answer exceeds ${limit} bytes (set by MREG_PROXY_MAX_EVENT_BYTES)`),
    );
    const perEvent = headers.get('content-type')?.startsWith('text/event-stream') === true;
    return budget.meter(new Response(body, { status, headers }), { perEvent });
  };
}
