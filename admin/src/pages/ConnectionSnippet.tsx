import type { ServerView, UserInfo } from '../lib/types';

/** How an MCP client reaches this server through the gateway: its URL, a client config, and how to get a token. */
export function ConnectionSnippet({ server, user }: { server: ServerView; user: UserInfo }) {
  const url = `${window.location.origin}/servers/${server.id}/mcp`;
  const config = JSON.stringify({ mcpServers: { [server.name]: { type: 'http', url } } }, null, 2);
  return (
    <section class="card" aria-labelledby="connect-title">
      <div class="card-body">
        <h2 class="h6 card-title" id="connect-title">
          Connect an MCP client
        </h2>
        <label class="form-label small" for="connect-url">
          Endpoint
        </label>
        <input
          id="connect-url"
          class="form-control form-control-sm font-monospace mb-2"
          readOnly
          value={url}
        />
        <div class="small mb-1">Client configuration</div>
        <pre class="bg-body-tertiary border rounded p-2 small" data-testid="connection-snippet">
          {config}
        </pre>
        <p class="small mb-1">
          Clients that speak MCP authorization discover the gateway's OAuth server from the endpoint and sign
          in by themselves.
          {user.authMode === 'local' && " For a script, in local mode, from the gateway's folder:"}
        </p>
        {user.authMode === 'local' && (
          <pre class="bg-body-tertiary border rounded p-2 small mb-0">
            {`node bin/mcp-gateway.js token --tenant ${user.tenantKey.replace(/^local:/, '')} --resource ${url}`}
          </pre>
        )}
      </div>
    </section>
  );
}
