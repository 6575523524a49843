import { Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '../auth/index.js';
import { RegistryCache, RegistryModule } from '../registry/index.js';
import { breakerKey, UpstreamBreakers } from './breakers.js';
import { EndpointSelector } from './endpoint-selector.js';
import { FederatedCatalog } from './federation/federated-catalog.js';
import { FederationController } from './federation/federation.controller.js';
import { FederationService } from './federation/federation.service.js';
import { UpstreamClients } from './federation/upstream-clients.js';
import { ListChangedStreams } from './federation/list-changed-streams.js';
import { ProxyController } from './proxy.controller.js';
import { ProxyRequestService } from './proxy-request.service.js';
import { ProxyTools } from './proxy.tools.js';
import { RouterController } from './router.controller.js';
import { RouterService } from './router.service.js';
import { ProxyService } from './proxy.service.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { ProxyRateLimits } from './proxy-rate-limits.js';
import { SessionActivity } from './session-activity.js';
import { TaskHandles } from './task-handles.js';
import { ApprovedToolLists } from './approved-tool-list.js';
import { SessionTokens } from './session-token.js';
import { StreamLimits } from './stream-limits.js';
import { UpstreamCaller } from './upstream-caller.js';
import { UpstreamPool } from './upstream-pool.js';
import { UpstreamResponses } from './upstream-responses.js';
import { UpstreamHeaders } from './upstream-headers.js';
import { RouterMetrics } from './router-metrics.js';
import { UsageController } from './usage.controller.js';
import { UsageService } from './usage.service.js';

const BREAKER_SWEEP_MS = 5 * 60_000;

@Module({
  imports: [AuthModule, RegistryModule],
  controllers: [ProxyController, RouterController, ProxyTools, FederationController, UsageController],
  providers: [
    ProxyService,
    UsageService,
    SessionTokens,
    TaskHandles,
    ApprovedToolLists,
    EndpointSelector,
    UpstreamCaller,
    UpstreamBreakers,
    UpstreamPool,
    StreamLimits,
    SessionActivity,
    ProxyMetrics,
    ProxyRateLimits,
    UpstreamResponses,
    UpstreamHeaders,
    RouterMetrics,
    RouterService,
    ProxyRequestService,
    FederationService,
    FederatedCatalog,
    UpstreamClients,
    ListChangedStreams,
  ],
})
export class ProxyModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly breakers: UpstreamBreakers,
    private readonly selector: EndpointSelector,
    private readonly routerMetrics: RouterMetrics,
    private readonly registry: RegistryCache,
  ) {}

  /** State kept per server or endpoint (breakers, balancing, router metrics) is dropped now and then once removed. */
  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => {
      const urls = new Set<string>();
      const ids = new Set<string>();
      const breakers = new Set<string>();
      for (const server of this.registry.all()) {
        ids.add(server.id);
        for (const endpoint of server.endpoints) {
          urls.add(endpoint.url);
          breakers.add(breakerKey(server.id, endpoint.url));
        }
      }
      this.breakers.retainOnly(breakers);
      this.selector.retainOnly(ids, urls);
      this.routerMetrics.retainOnly(ids);
    }, BREAKER_SWEEP_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
    this.breakers.shutdown();
  }
}
