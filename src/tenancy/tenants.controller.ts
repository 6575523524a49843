import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { arrayOf, dateTime, integer, nullable, objectOf, text } from '../common/http/openapi-schema.js';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { type TenantView, TenantsService } from './tenants.service.js';

const TENANT: SchemaObject = objectOf({
  id: text,
  key: text,
  name: text,
  status: text,
  requestsPerMinute: nullable(integer),
  createdAt: dateTime,
});

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({ summary: "The caller's tenant; every tenant for platform administrators" })
  @ApiOkResponse({ description: 'Tenants', schema: arrayOf(TENANT) })
  list(@CurrentPrincipal() principal: Principal): Promise<TenantView[]> {
    return this.tenants.listVisibleTo(principal);
  }

  @Patch(':id')
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: "Set a tenant's own request limit per minute (platform administrators only; null: the default)",
  })
  @ApiOkResponse({ description: 'The tenant', schema: TENANT })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateTenantDto,
  ): Promise<TenantView> {
    return this.tenants.setRequestLimit(principal, id, body.requestsPerMinute);
  }
}
