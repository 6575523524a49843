import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { type TenantView, TenantsService } from './tenants.service.js';

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({ summary: "The caller's tenant; every tenant for platform administrators" })
  @ApiOkResponse({ description: 'Tenants' })
  list(@CurrentPrincipal() principal: Principal): Promise<TenantView[]> {
    return this.tenants.listVisibleTo(principal);
  }

  @Patch(':id')
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: "Set a tenant's own request limit per minute (platform administrators only; null: the default)",
  })
  @ApiOkResponse({ description: 'The tenant' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateTenantDto,
  ): Promise<TenantView> {
    return this.tenants.setRequestLimit(principal, id, body.requestsPerMinute);
  }
}
