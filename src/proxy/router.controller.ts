import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { ApiErrors } from '../common/http/api-errors.js';
import { HealthCheckRequestDto, ProxyRequestDto } from './dto/router.dto.js';
import { type ProxyRequestResult, ProxyRequestService } from './proxy-request.service.js';
import { type LiveHealth, type RouterMetricsView, RouterService } from './router.service.js';
import { bearerOf } from './upstream-headers.js';
import { LIVE_HEALTH, PROXY_REQUEST_RESULT, ROUTER_METRICS } from './router.openapi.js';

@ApiTags('router')
@Controller('api/v1/router')
@Authenticated()
export class RouterController {
  constructor(
    private readonly requests: ProxyRequestService,
    private readonly router: RouterService,
  ) {}

  @Post('request')
  @HttpCode(200)
  @ApiOperation({ summary: 'One MCP request on a server through the proxy (the proxy_request tool)' })
  @ApiOkResponse({ description: 'The upstream answer, or why there is none', schema: PROXY_REQUEST_RESULT })
  @ApiErrors({ 403: 'TOOL_NOT_ALLOWED', 404: 'SERVER_NOT_FOUND' })
  request(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ProxyRequestDto,
    @Headers('authorization') authorization?: string,
  ): Promise<ProxyRequestResult> {
    return this.requests.execute(principal, dto, bearerOf(authorization));
  }

  @Post('health-check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Live check of one or every visible server (not stored)' })
  @ApiOkResponse({ description: 'Live status of each server', schema: LIVE_HEALTH })
  @ApiErrors({ 404: 'SERVER_NOT_FOUND' })
  healthCheck(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: HealthCheckRequestDto,
  ): Promise<{ servers: LiveHealth[]; checked_at: string }> {
    return this.router.healthCheck(principal, dto.server);
  }

  @Get('metrics')
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: 'Per-server requests, error rate, latency percentiles, breaker states (this process)',
  })
  @ApiOkResponse({ description: 'Router metrics', schema: ROUTER_METRICS })
  metrics(@CurrentPrincipal() principal: Principal): RouterMetricsView {
    return this.router.metricsFor(principal);
  }
}
