import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { LifecycleState } from './lifecycle-state.js';
import { MetricsService } from './metrics.service.js';
import { OpenStreams } from './open-streams.js';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MetricsService, LifecycleState, OpenStreams],
  exports: [MetricsService, LifecycleState, OpenStreams],
})
export class ObservabilityModule {}
