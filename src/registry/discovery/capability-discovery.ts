import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport as SdkTransport,
} from '@modelcontextprotocol/client';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { GATEWAY_VERSION } from '../../version.js';
import type { CapabilitySnapshot, ServerInfo, StoredUpstreamAuth, Transport } from '../registry.types.js';
import { UpstreamCredentials } from '../upstream-credentials.js';
import { UpstreamFetch } from './upstream-fetch.js';

/** Bounds on what an upstream may make us store. */
const END_SESSION_TIMEOUT_MS = 2_000;
const MAX_TOOLS = 1000;
const MAX_RESOURCES = 1000;
const MAX_PROMPTS = 500;
const MAX_PAGES = 20;
const MAX_DESCRIPTION = 10_000;

export interface DiscoveryTarget {
  id: string;
  transport: Transport;
  upstreamAuth: StoredUpstreamAuth;
}

export interface DiscoveryResult {
  protocolVersion: string | null;
  serverInfo: ServerInfo | null;
  snapshot: CapabilitySnapshot;
  latencyMs: number;
}

/**
 * Connects to one upstream endpoint the way a client would (initialize, then tools/resources/prompts lists, every
 * page) with the gateway's service credentials and a deadline, and returns what it found, bounded and normalised.
 */
@Injectable()
export class CapabilityDiscovery implements OnApplicationShutdown {
  readonly upstream: UpstreamFetch;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly credentials: UpstreamCredentials,
  ) {
    this.upstream = new UpstreamFetch(config.allowPrivateUpstreams);
  }

  async discover(target: DiscoveryTarget, endpointUrl: string, timeoutMs: number): Promise<DiscoveryResult> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(timeoutMs);
    const headers = await this.credentials.serviceHeaders(target.upstreamAuth, target.id, this.upstream);
    const client = new Client(
      { name: 'mcp-registry-gateway', version: GATEWAY_VERSION },
      // Declared so servers that offer some tools only to capable clients (sampling, elicitation, roots) list
      // them: otherwise those tools would never be approved and the proxy would hide them from clients that can.
      {
        capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: false } },
        listMaxPages: MAX_PAGES,
      },
    );
    const transport = this.transportFor(target.transport, new URL(endpointUrl), headers, deadline);
    const options = { timeout: timeoutMs, signal: deadline };
    try {
      await withDeadline(client.connect(transport, options), deadline);
      const capabilities = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
      const [tools, resources, templates, prompts] = await withDeadline(
        Promise.all([
          capabilities.tools ? client.listTools(undefined, options) : { tools: [] },
          capabilities.resources ? client.listResources(undefined, options) : { resources: [] },
          capabilities.resources
            ? client.listResourceTemplates(undefined, options).catch(() => ({ resourceTemplates: [] }))
            : { resourceTemplates: [] },
          capabilities.prompts ? client.listPrompts(undefined, options) : { prompts: [] },
        ]),
        deadline,
      );
      if (tools.tools.length > MAX_TOOLS) throw new Error(`more than ${MAX_TOOLS} tools`);
      const version = client.getServerVersion();
      return {
        protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
        serverInfo: version
          ? {
              name: version.name,
              version: version.version,
              ...(version.title ? { title: version.title } : {}),
            }
          : null,
        snapshot: {
          tools: tools.tools.map((tool) => ({
            name: tool.name,
            ...(tool.title ? { title: tool.title } : {}),
            ...(tool.description ? { description: tool.description.slice(0, MAX_DESCRIPTION) } : {}),
            inputSchema: tool.inputSchema,
            ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
            ...(tool.annotations ? { annotations: tool.annotations } : {}),
          })),
          resources: resources.resources.slice(0, MAX_RESOURCES).map((resource) => ({
            uri: resource.uri,
            name: resource.name,
            ...(resource.description ? { description: resource.description.slice(0, MAX_DESCRIPTION) } : {}),
            ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
          })),
          resourceTemplates: templates.resourceTemplates.slice(0, MAX_RESOURCES).map((template) => ({
            uriTemplate: template.uriTemplate,
            name: template.name,
            ...(template.description ? { description: template.description.slice(0, MAX_DESCRIPTION) } : {}),
          })),
          prompts: prompts.prompts.slice(0, MAX_PROMPTS).map((prompt) => ({
            name: prompt.name,
            ...(prompt.description ? { description: prompt.description.slice(0, MAX_DESCRIPTION) } : {}),
            ...(prompt.arguments ? { arguments: prompt.arguments } : {}),
          })),
          serverCapabilities: capabilities,
        },
        latencyMs: Math.round(performance.now() - started),
      };
    } finally {
      await endSession(transport);
      await client.close().catch(() => undefined);
    }
  }

  private transportFor(
    kind: Transport,
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): SdkTransport {
    const requestInit = { headers, signal };
    return kind === 'sse'
      ? new SSEClientTransport(url, { fetch: this.upstream.fetch, requestInit })
      : new StreamableHTTPClientTransport(url, { fetch: this.upstream.fetch, requestInit });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.upstream.close();
  }
}

/**
 * Ends the upstream session a discovery opened (DELETE), best effort and briefly: a stateful server otherwise keeps
 * one per registration and health check, and may wait on requests to a client that is gone (the reference server
 * spends a minute on `roots/list` to each).
 */
async function endSession(transport: SdkTransport): Promise<void> {
  if (!(transport instanceof StreamableHTTPClientTransport) || transport.sessionId === undefined) return;
  await withDeadline(transport.terminateSession(), AbortSignal.timeout(END_SESSION_TIMEOUT_MS)).catch(
    () => undefined,
  );
}

/** Rejects when the deadline passes even if the SDK call ignores the signal. */
function withDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (deadline.aborted) return onAbort();
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
