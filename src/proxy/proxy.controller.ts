import { Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditedElsewhere } from '../common/decorators/audit.decorators.js';
import { CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { ThrottleAs } from '../common/decorators/rate-limit.decorators.js';
import { sendProxyError } from './proxy-error-response.js';
import { ProxyService } from './proxy.service.js';

/**
 * `POST|GET|DELETE /servers/{id}/mcp`: the transparent MCP proxy to one registered server. Authentication is the
 * global guard's (tokens must be issued for exactly this URL); everything else is the proxy service's.
 */
@ApiExcludeController()
@AuditedElsewhere()
// Counted by ProxyService, which knows the server and its limits.
@ThrottleAs('in-handler')
@Controller('servers/:serverId/mcp')
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @Post()
  post(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId') serverId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.relay(principal, serverId, req, res);
  }

  @Get()
  stream(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId') serverId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.relay(principal, serverId, req, res);
  }

  @Delete()
  terminate(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId') serverId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.relay(principal, serverId, req, res);
  }

  private async relay(principal: Principal, serverId: string, req: Request, res: Response): Promise<void> {
    try {
      await this.proxy.handle(principal, serverId, req, res);
    } catch (error) {
      if (!sendProxyError(res, error)) throw error;
    }
  }
}
