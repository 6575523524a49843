import { Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditedElsewhere } from '../../common/decorators/audit.decorators.js';
import { CurrentPrincipal } from '../../common/decorators/auth.decorators.js';
import type { Principal } from '../../common/principal.js';
import { ThrottleAs } from '../../common/decorators/rate-limit.decorators.js';
import { sendProxyError } from '../proxy-error-response.js';
import { ProxyError } from '../proxy.errors.js';
import { FederationService } from './federation.service.js';
import { ListChangedStreams } from './list-changed-streams.js';
import { ErrorCode } from '../../common/errors/error-codes.js';

/**
 * `POST|GET|DELETE /federated/mcp`: the federated MCP endpoint. Stateless: POST carries requests, GET is the stream of
 * list-changed notifications, DELETE answers 405 (there is no session to end).
 */
@ApiExcludeController()
@AuditedElsewhere()
@ThrottleAs('in-handler')
@Controller('federated/mcp')
export class FederationController {
  constructor(
    private readonly federation: FederationService,
    private readonly listChanged: ListChangedStreams,
  ) {}

  @Post()
  post(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.handle(principal, req, res);
  }

  /** The list-changed stream has no body to count per message: the global guard counts it as one request. */
  @ThrottleAs('jsonrpc')
  @Get()
  stream(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response): void {
    // A refusal (stream limit) goes to the global filter: JSON-RPC on this route, and audited as a denial.
    this.listChanged.open(principal, req, res);
  }

  /** Nothing to end: the endpoint hands out no session (the transport's 405 for servers that keep none). */
  @Delete()
  terminate(@Res() res: Response): void {
    sendProxyError(
      res,
      new ProxyError(
        405,
        ErrorCode.INVALID_JSONRPC,
        '/federated/mcp keeps no session: there is none to end',
        {
          Allow: 'GET, POST',
        },
      ),
    );
  }

  /** Refusals before the MCP server runs (rate limits) go to the global filter: JSON-RPC here, audited as denials. */
  private handle(principal: Principal, req: Request, res: Response): Promise<void> {
    return this.federation.handle(principal, req, res);
  }
}
