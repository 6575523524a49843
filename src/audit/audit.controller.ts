import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { anyObject, arrayOf, boolean, integer, objectOf, text } from '../common/http/openapi-schema.js';
import type { Response } from 'express';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { ApiErrors } from '../common/http/api-errors.js';
import { AuditChainVerifier, type ChainReport } from './audit-chain-verifier.js';
import { AuditQueryService, toCsv } from './audit-query.service.js';
import { AuditAction } from '../common/decorators/audit.decorators.js';
import { AuditPage, AuditQueryDto } from './dto/audit-query.dto.js';

const CHAIN_REPORT: SchemaObject = objectOf({
  ok: boolean,
  tenants: arrayOf(
    objectOf({ tenantId: text, events: integer, ok: boolean, brokenAt: anyObject }, ['brokenAt']),
  ),
});

@ApiTags('audit')
@Controller('api/v1/audit')
@Authenticated({ roles: ['admin'] })
export class AuditController {
  constructor(
    private readonly audit: AuditQueryService,
    private readonly verifier: AuditChainVerifier,
  ) {}

  @Get()
  @AuditAction({ action: 'audit.query' })
  @ApiOperation({
    summary: "Admin: the tenant's audit trail, newest first; format=csv exports the page as CSV",
  })
  @ApiOkResponse({ type: AuditPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiErrors({ 400: 'VALIDATION_FAILED | INVALID_CURSOR', 403: 'INSUFFICIENT_ROLE | CROSS_TENANT_DENIED' })
  async query(
    @CurrentPrincipal() principal: Principal,
    @Query() query: AuditQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuditPage | string> {
    const page = await this.audit.query(principal, query);
    if (query.format !== 'csv') return page;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="audit-events.csv"');
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    return toCsv(page.events);
  }

  @Get('verify')
  @AuditAction({ action: 'audit.verify' })
  @ApiOperation({ summary: "Admin: walk the tenant's hash chain and report the first broken link, if any" })
  @ApiOkResponse({ description: 'Whether every chain holds, per tenant', schema: CHAIN_REPORT })
  @ApiErrors({ 403: 'INSUFFICIENT_ROLE' })
  verify(@CurrentPrincipal() principal: Principal): Promise<ChainReport> {
    return this.verifier.verify(principal.tenantId);
  }
}
