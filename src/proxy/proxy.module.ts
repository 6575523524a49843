import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { UpstreamBreakers } from './breakers.js';
import { EndpointSelector } from './endpoint-selector.js';
import { ProxyController } from './proxy.controller.js';
import { ProxyService } from './proxy.service.js';
import { SessionTokens } from './session-token.js';
import { StreamLimiter } from './stream-limiter.js';
import { UpstreamCaller } from './upstream-caller.js';
import { UpstreamPool } from './upstream-pool.js';
import { UpstreamHeaders } from './upstream-headers.js';
import { RouterMetrics } from './router-metrics.js';

@Module({
  imports: [RegistryModule],
  controllers: [ProxyController],
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
  ],
  exports: [ProxyService],
})
export class ProxyModule implements OnApplicationShutdown {
  constructor(private readonly breakers: UpstreamBreakers) {}

  onApplicationShutdown(): void {
    this.breakers.shutdown();
  }
}
