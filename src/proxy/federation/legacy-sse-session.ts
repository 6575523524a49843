import { Client } from '@modelcontextprotocol/client';
import { GATEWAY_VERSION } from '../../common/version.js';
import { sdkTransportFor } from '../sdk-transport.js';
import type { UpstreamLink, UpstreamSession } from './upstream-session.js';

/**
 * A session with a legacy HTTP+SSE upstream: its answers come on one standing stream, which the SDK client and its
 * SSE transport handle (over the same upstream layer). Rare, so the per-call cost of a second SDK client stays here.
 */
export async function openLegacySseSession(link: UpstreamLink): Promise<UpstreamSession> {
  const { caller, server, endpoint, credentials } = link;
  const longest = Math.max(server.timeouts.requestMs, ...Object.values(server.timeouts.tools));
  const transport = sdkTransportFor(caller, server, endpoint, longest, credentials);
  const client = new Client({ name: 'mcp-registry-gateway', version: GATEWAY_VERSION }, { capabilities: {} });
  await client.connect(transport, { timeout: server.timeouts.requestMs });
  return {
    callTool: (params, options) => client.callTool(params, options),
    getPrompt: (params, options) => client.getPrompt(params, options),
    readResource: (params, options) => client.readResource(params, options),
    close: async () => {
      await transport.terminateSession?.().catch(() => undefined);
      await client.close().catch(() => undefined);
    },
  };
}
