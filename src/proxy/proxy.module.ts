import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { UpstreamBreakers } from './breakers.js';
import { EndpointSelector } from './endpoint-selector.js';
import { FederatedCatalog } from './federation/federated-catalog.js';
import { FederationController } from './federation/federation.controller.js';
import { FederationService } from './federation/federation.service.js';
import { UpstreamClients } from './federation/upstream-clients.js';
import { ProxyController } from './proxy.controller.js';
import { ProxyRequestService } from './proxy-request.service.js';
import { ProxyTools } from './proxy.tools.js';
import { RouterController } from './router.controller.js';
import { RouterService } from './router.service.js';
import { ProxyService } from './proxy.service.js';
import { SessionTokens } from './session-token.js';
import { StreamLimiter } from './stream-limiter.js';
import { UpstreamCaller } from './upstream-caller.js';
import { UpstreamPool } from './upstream-pool.js';
import { UpstreamHeaders } from './upstream-headers.js';
import { RouterMetrics } from './router-metrics.js';

@Module({
  imports: [AuthModule, RegistryModule],
  controllers: [ProxyController, RouterController, ProxyTools, FederationController],
  providers: [
    ProxyService,
    SessionTokens,
    EndpointSelector,
    UpstreamCaller,
    UpstreamBreakers,
    UpstreamPool,
    StreamLimiter,
    UpstreamHeaders,
    RouterMetrics,
    RouterService,
    ProxyRequestService,
    FederationService,
    FederatedCatalog,
    UpstreamClients,
  ],
})
export class ProxyModule implements OnApplicationShutdown {
  constructor(private readonly breakers: UpstreamBreakers) {}

  onApplicationShutdown(): void {
    this.breakers.shutdown();
  }
}
