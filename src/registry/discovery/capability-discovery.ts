import {
  Client,
  type FetchLike,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport as SdkTransport,
} from '@modelcontextprotocol/client';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type DiscoveryLimits } from '../../config/app-config.js';
import { GATEWAY_VERSION } from '../../version.js';
import type { CapabilitySnapshot, ServerInfo, StoredUpstreamAuth, Transport } from '../registry.types.js';
import { UpstreamCredentials } from '../upstream-credentials.js';
import type { ByteBudget } from '../../common/http/byte-budget.js';
import { CapabilitiesTooLarge, discoveryBudget } from './discovery-bounds.js';
import { boundedSnapshot } from './bounded-snapshot.js';
import { UpstreamFetch } from './upstream-fetch.js';

const END_SESSION_TIMEOUT_MS = 2_000;
/** List pages followed per list; the byte budget bounds what they may hold. */
const MAX_PAGES = 20;

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
 * The upstream is not trusted: everything it sends is counted while it is read (`ByteBudget`), and each definition
 * is checked before anything is stored, so a hostile list costs at most `MREG_DISCOVERY_MAX_BYTES` of memory.
 */
@Injectable()
export class CapabilityDiscovery implements OnApplicationShutdown {
  readonly upstream: UpstreamFetch;
  private readonly limits: DiscoveryLimits;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly credentials: UpstreamCredentials,
  ) {
    this.upstream = new UpstreamFetch(config.allowPrivateUpstreams);
    this.limits = config.discovery;
  }

  async discover(target: DiscoveryTarget, endpointUrl: string, timeoutMs: number): Promise<DiscoveryResult> {
    const budget = discoveryBudget(this.limits);
    try {
      return await this.discoverWithin(budget, target, endpointUrl, timeoutMs);
    } catch (error) {
      // The SDK reports a cut stream in its own words (or as a timeout); the budget knows what really happened.
      throw budget.exceeded ?? error;
    }
  }

  private async discoverWithin(
    budget: ByteBudget,
    target: DiscoveryTarget,
    endpointUrl: string,
    timeoutMs: number,
  ): Promise<DiscoveryResult> {
    const started = performance.now();
    const deadline = AbortSignal.any([AbortSignal.timeout(timeoutMs), budget.signal]);
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
    const fetch = this.upstream.metered(budget);
    const transport = this.transportFor(target.transport, new URL(endpointUrl), headers, deadline, fetch);
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
      const latencyMs = Math.round(performance.now() - started);
      const plainToolNames = capabilities.tools
        ? await this.plainToolNames(target.transport, endpointUrl, headers, deadline, fetch, timeoutMs)
        : undefined;
      // A stream the SDK reads on its own (the listening GET) may have spent the budget while the lists succeeded.
      budget.check();
      const version = client.getServerVersion();
      return {
        protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
        serverInfo: version
          ? {
              name: version.name.slice(0, 256),
              version: version.version.slice(0, 256),
              ...(version.title ? { title: version.title.slice(0, 1024) } : {}),
            }
          : null,
        snapshot: boundedSnapshot(
          {
            tools: tools.tools,
            plainToolNames,
            resources: resources.resources,
            templates: templates.resourceTemplates,
            prompts: prompts.prompts,
          },
          capabilities,
          this.limits,
        ),
        latencyMs,
      };
    } finally {
      await endSession(transport);
      await client.close().catch(() => undefined);
    }
  }

  /**
   * The tool names offered to a client that declares no capabilities, as `/federated/mcp`'s upstream client does:
   * a second short session (its own initialize, one tools/list, DELETE), within the same deadline and byte budget.
   * Undefined when that session fails: the tools are then not marked, rather than the discovery failing.
   */
  private async plainToolNames(
    kind: Transport,
    endpointUrl: string,
    headers: Record<string, string>,
    deadline: AbortSignal,
    fetch: FetchLike,
    timeoutMs: number,
  ): Promise<Set<string> | undefined> {
    const client = new Client(
      { name: 'mcp-registry-gateway', version: GATEWAY_VERSION },
      { capabilities: {}, listMaxPages: MAX_PAGES },
    );
    const transport = this.transportFor(kind, new URL(endpointUrl), headers, deadline, fetch);
    const options = { timeout: timeoutMs, signal: deadline };
    try {
      await withDeadline(client.connect(transport, options), deadline);
      const { tools } = await withDeadline(client.listTools(undefined, options), deadline);
      return new Set(tools.map((tool) => tool.name));
    } catch {
      return undefined;
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
    fetch: FetchLike,
  ): SdkTransport {
    const requestInit = { headers, signal };
    return kind === 'sse'
      ? new SSEClientTransport(url, { fetch, requestInit })
      : new StreamableHTTPClientTransport(url, { fetch, requestInit });
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

/** Rejects when the deadline passes (or the byte budget runs out) even if the SDK call ignores the signal. */
function withDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(deadline.reason instanceof CapabilitiesTooLarge ? deadline.reason : new Error('timed out'));
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
