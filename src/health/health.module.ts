import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';

/**
 * The probes and metrics endpoints (`/health`, `/ready`, `/metrics`). Above the database and observability, which
 * they report on, so that observability (used by everything) depends on nothing but `common` and `config`.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}
