import { Controller, Get, Header, HttpStatus, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/decorators.js';
import { Database } from '../database/database.js';
import { GATEWAY_VERSION } from '../version.js';
import { LifecycleState } from './lifecycle-state.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('observability')
@Public()
// Probes and scrapes come from a few addresses all the time; limiting them would fail pods, not slow abusers.
@SkipThrottle()
@Controller()
export class HealthController {
  private readonly logger = new Logger('Readiness');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: Database,
    private readonly lifecycle: LifecycleState,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP. Does no I/O.' })
  @ApiOkResponse({ description: '{"status":"ok","version":"…","uptimeSeconds":n}' })
  liveness(): { status: 'ok'; version: string; uptimeSeconds: number } {
    return { status: 'ok', version: GATEWAY_VERSION, uptimeSeconds: this.lifecycle.uptimeSeconds() };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers, migrations are applied and the process is not draining.',
  })
  @ApiOkResponse({ description: 'Every check is up' })
  @ApiServiceUnavailableResponse({ description: 'A check is down; the body names it' })
  async readiness(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    try {
      return await this.health.check([
        () => {
          const lifecycle = this.indicators.check('lifecycle');
          return this.lifecycle.isDraining ? lifecycle.down({ message: 'shutting down' }) : lifecycle.up();
        },
        async () => {
          const database = this.indicators.check('database');
          try {
            await this.database.ping();
            return database.up({ kind: this.database.kind });
          } catch (error) {
            // Unauthenticated probe: the cause (hosts, roles) goes to the log, not into the response.
            this.logger.warn(`Readiness: database check failed: ${(error as Error).message}`);
            return database.down({ kind: this.database.kind, message: 'database unreachable' });
          }
        },
        async () => {
          const migrations = this.indicators.check('migrations');
          try {
            const pending = await this.database.pendingMigrations();
            return pending.length === 0 ? migrations.up() : migrations.down({ pending });
          } catch (error) {
            this.logger.warn(`Readiness: migration check failed: ${(error as Error).message}`);
            return migrations.down({ message: 'migration state unknown' });
          }
        },
      ]);
    } catch (error) {
      // Terminus reports a failed check as ServiceUnavailableException carrying the full report; a readiness
      // probe's body is that report, not an error, so it is returned as is with 503.
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return (error as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error' };
    }
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics in text exposition format.' })
  async prometheus(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
