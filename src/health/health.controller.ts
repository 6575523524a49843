import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, HttpStatus, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { anyObject, integer, objectOf, text } from '../common/http/openapi-schema.js';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Public } from '../common/decorators/auth.decorators.js';
import { Database } from '../database/database.js';
import { GATEWAY_VERSION } from '../common/version.js';
import { LifecycleState } from '../observability/lifecycle-state.js';
import { MetricsService } from '../observability/metrics.service.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { answerHttpError } from '../common/http/all-exceptions.filter.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import type { RequestWithId } from '../common/context/request-context.js';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** With MREG_METRICS_TOKEN set, only a request bearing it (compared in constant time). */
  private scrapeAllowed(authorization: string | undefined): boolean {
    const token = this.config.http.metricsToken;
    if (!token) return true;
    const presented = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP. Does no I/O.' })
  @ApiOkResponse({
    description: 'Up',
    schema: objectOf({ status: { type: 'string', enum: ['ok'] }, version: text, uptimeSeconds: integer }),
  })
  liveness(): { status: 'ok'; version: string; uptimeSeconds: number } {
    return { status: 'ok', version: GATEWAY_VERSION, uptimeSeconds: this.lifecycle.uptimeSeconds() };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers, migrations are applied and the process is not draining.',
  })
  @ApiOkResponse({
    description: 'Every check is up (Terminus: status, and each check by name)',
    schema: objectOf({ status: text, info: anyObject, error: anyObject, details: anyObject }, [
      'info',
      'error',
    ]),
  })
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
  @ApiOperation({
    summary: 'Prometheus metrics in text exposition format (Bearer MREG_METRICS_TOKEN when that is set).',
  })
  async prometheus(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.scrapeAllowed(req.get('authorization'))) {
      // Not the gateway's OAuth: a fixed scrape secret, so no resource metadata pointer in the challenge. No
      // observer: a refused scrape is not an audit event.
      const refusal = new GatewayException(
        401,
        ErrorCode.UNAUTHENTICATED,
        'Scraping /metrics needs its bearer token',
        undefined,
        { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      );
      answerHttpError(refusal, req as RequestWithId, res);
      return;
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
