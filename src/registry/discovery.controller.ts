import { REGISTRY_STATS, TOOL_SEARCH } from './registry.openapi.js';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { CapabilitiesService, type ToolMatch } from './capabilities.service.js';
import { SearchToolsQuery } from './dto/list-servers.query.js';
import { RegistryService, type RegistryStats } from './registry.service.js';

@ApiTags('discovery')
@Controller('api/v1')
export class DiscoveryController {
  constructor(
    private readonly capabilities: CapabilitiesService,
    private readonly registry: RegistryService,
  ) {}

  @Get('discovery/tools')
  @Authenticated()
  @ApiOperation({ summary: 'Search the approved tools of every server the caller can see' })
  @ApiOkResponse({ description: 'Matching tools, with their server', schema: TOOL_SEARCH })
  searchTools(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SearchToolsQuery,
  ): { tools: ToolMatch[]; total: number } {
    return this.capabilities.searchTools(principal, query.q, query.server, query.limit);
  }

  @Get('admin/stats')
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: "Server counts by status, transport and tenant (the caller's tenant; all for platform admins)",
  })
  @ApiOkResponse({ description: 'Server counts', schema: REGISTRY_STATS })
  stats(@CurrentPrincipal() principal: Principal): Promise<RegistryStats> {
    return this.registry.stats(principal);
  }
}
