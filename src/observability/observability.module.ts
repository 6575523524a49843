import { Global, Module } from '@nestjs/common';
import { LifecycleState } from './lifecycle-state.js';
import { MetricsService } from './metrics.service.js';
import { OpenStreams } from './open-streams.js';

@Global()
@Module({
  providers: [MetricsService, LifecycleState, OpenStreams],
  exports: [MetricsService, LifecycleState, OpenStreams],
})
export class ObservabilityModule {}
