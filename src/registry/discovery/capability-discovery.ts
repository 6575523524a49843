import {
  Client,
  type ClientCapabilities,
  type ClientOptions,
  type Tool,
  type FetchLike,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport as SdkTransport,
} from '@modelcontextprotocol/client';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type DiscoveryLimits } from '../../config/app-config.js';
import { GATEWAY_VERSION } from '../../common/version.js';
import {
  type CapabilitySnapshot,
  MODERN_REVISION,
  type ServerInfo,
  type StoredUpstreamAuth,
  type Transport,
} from '../registry.types.js';
import { UpstreamCredentials } from '../upstream-credentials.js';
import type { ByteBudget } from '../../common/http/byte-budget.js';
import { discoveryBudget, MAX_NAME_LENGTH, MAX_TITLE_LENGTH } from './discovery-bounds.js';
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
    const headers = await this.credentials.serviceHeaders(target.upstreamAuth, target.id, this.upstream);
    const session: SessionTarget = {
      kind: target.transport,
      url: new URL(endpointUrl),
      headers,
      fetch: this.upstream.metered(budget),
      deadline: AbortSignal.any([AbortSignal.timeout(timeoutMs), budget.signal]),
      timeoutMs,
    };
    // Declared so servers that offer some tools only to capable clients (sampling, elicitation, roots) list them:
    // otherwise those tools would never be approved and the proxy would hide them from clients that can.
    const capable = { sampling: {}, elicitation: {}, roots: { listChanged: false } };
    return withSession(session, { capabilities: capable }, async (client, options) => {
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
        session.deadline,
      );
      const latencyMs = Math.round(performance.now() - started);
      // After the lists, not beside them: an upstream that floods them has spent the budget, and is not read twice.
      const plainToolNames = capabilities.tools ? await listPlainToolNames(session) : undefined;
      // Tools a server offers only on the 2026-07-28 revision (the reference server has 11 of them) must reach the
      // approved set too, or the proxy refuses them to the clients that can call them.
      const modernTools =
        target.transport === 'streamable-http' ? await listModernTools(session, capable) : undefined;
      // A stream the SDK reads on its own (the listening GET) may have spent the budget while the lists succeeded.
      budget.check();
      const version = client.getServerVersion();
      return {
        protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
        serverInfo: version
          ? {
              name: version.name.slice(0, MAX_NAME_LENGTH),
              version: version.version.slice(0, MAX_NAME_LENGTH),
              ...(version.title ? { title: version.title.slice(0, MAX_TITLE_LENGTH) } : {}),
            }
          : null,
        snapshot: boundedSnapshot(
          {
            tools: tools.tools,
            plainToolNames,
            modernTools,
            resources: resources.resources,
            templates: templates.resourceTemplates,
            prompts: prompts.prompts,
          },
          capabilities,
          this.limits,
        ),
        latencyMs,
      };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.upstream.close();
  }
}

/** Where and how a discovery talks to one upstream endpoint; every session of one discovery shares it. */
interface SessionTarget {
  kind: Transport;
  url: URL;
  headers: Record<string, string>;
  /** Counts every byte against the discovery's budget. */
  fetch: FetchLike;
  /** The discovery's deadline, aborted too when the budget runs out. */
  deadline: AbortSignal;
  timeoutMs: number;
}

/**
 * One upstream session (initialize, `work`, then DELETE), as a client declaring `capabilities`, under the
 * discovery's deadline and byte budget; the session is ended whatever `work` does.
 */
async function withSession<T>(
  target: SessionTarget,
  client: Pick<ClientOptions, 'capabilities' | 'versionNegotiation'>,
  work: (client: Client, options: { timeout: number; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const sdk = new Client(
    { name: 'mcp-registry-gateway', version: GATEWAY_VERSION },
    { ...client, listMaxPages: MAX_PAGES },
  );
  const requestInit = { headers: target.headers, signal: target.deadline };
  const transport =
    target.kind === 'sse'
      ? new SSEClientTransport(target.url, { fetch: target.fetch, requestInit })
      : new StreamableHTTPClientTransport(target.url, { fetch: target.fetch, requestInit });
  const options = { timeout: target.timeoutMs, signal: target.deadline };
  try {
    await withDeadline(sdk.connect(transport, options), target.deadline);
    return await work(sdk, options);
  } finally {
    await endSession(transport);
    await sdk.close().catch(() => undefined);
  }
}

/**
 * The tool names offered to a client that declares no capabilities, as `/federated/mcp`'s upstream client does: a
 * second short session. Undefined when it fails: the tools are then not marked, rather than the discovery failing.
 */
function listPlainToolNames(target: SessionTarget): Promise<Set<string> | undefined> {
  return withSession(target, { capabilities: {} }, async (client, options) => {
    const { tools } = await client.listTools(undefined, options);
    return new Set(tools.map((tool) => tool.name));
  }).catch(() => undefined);
}

/**
 * The tools offered on the 2026-07-28 revision (`server/discover`, then `tools/list` with the same client
 * capabilities), or undefined when the server does not speak it: a 2025-only server answers the probe with an error,
 * which costs it one request. A failure here never fails the discovery: the 2025 list stands alone, as before.
 */
function listModernTools(
  target: SessionTarget,
  capabilities: ClientCapabilities,
): Promise<Tool[] | undefined> {
  return withSession(
    target,
    { capabilities, versionNegotiation: { mode: { pin: MODERN_REVISION } } },
    async (client, options) => {
      if (client.getNegotiatedProtocolVersion() !== MODERN_REVISION) return undefined;
      return (await client.listTools(undefined, options)).tools;
    },
  ).catch(() => undefined);
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

/**
 * Rejects when the deadline passes even if the SDK call ignores the signal. (When it was the byte budget that
 * aborted, `discover` reports the budget's error instead.)
 */
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
