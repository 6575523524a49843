import {
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import type { RegisteredServer, ServerEndpoint } from '../registry/index.js';
import { fetchThroughCaller } from './upstream-fetch-adapter.js';
import type { UpstreamCaller } from './upstream-caller.js';

/** An SDK client transport to one endpoint over the proxy's upstream layer, streamable HTTP or legacy SSE. */
export function sdkTransportFor(
  caller: UpstreamCaller,
  server: RegisteredServer,
  endpoint: ServerEndpoint,
  timeoutMs: number,
  credentials: () => Promise<Record<string, string>>,
): Transport & { terminateSession?: () => Promise<void> } {
  const fetch = fetchThroughCaller(caller, server, endpoint, timeoutMs, credentials);
  const url = new URL(endpoint.url);
  return server.transport === 'sse'
    ? new SSEClientTransport(url, { fetch })
    : new StreamableHTTPClientTransport(url, { fetch });
}
