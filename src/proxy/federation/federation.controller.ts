import { Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../../auth/decorators.js';
import type { Principal } from '../../auth/principal.js';
import { FederationService } from './federation.service.js';

/** `POST|GET|DELETE /federated/mcp`: the federated MCP endpoint (stateless; GET and DELETE answer 405). */
@ApiExcludeController()
@Controller('federated/mcp')
export class FederationController {
  constructor(private readonly federation: FederationService) {}

  @Post()
  post(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.federation.handle(principal, req, res);
  }

  @Get()
  stream(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.federation.handle(principal, req, res);
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
