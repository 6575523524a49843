import { Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../../auth/decorators.js';
import type { Principal } from '../../auth/principal.js';
import { sendProxyError } from '../proxy-error-response.js';
import { FederationService } from './federation.service.js';
import { ListChangedStreams } from './list-changed-streams.js';

/**
 * `POST|GET|DELETE /federated/mcp`: the federated MCP endpoint. Stateless: POST carries requests, GET is the stream of
 * list-changed notifications, DELETE answers 405 (there is no session to end).
 */
@ApiExcludeController()
@Controller('federated/mcp')
export class FederationController {
  constructor(
    private readonly federation: FederationService,
    private readonly listChanged: ListChangedStreams,
  ) {}

  @Post()
  post(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.federation.handle(principal, req, res);
  }

  @Get()
  stream(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): void {
    try {
      this.listChanged.open(principal, req, res);
    } catch (error) {
      if (!sendProxyError(res, error)) throw error;
    }
  }

  @Delete()
  terminate(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.federation.handle(principal, req, res);
  }
}
