import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import { ApiErrors } from '../common/http/api-errors.js';
import type { Principal } from '../common/principal.js';
import { USAGE } from './usage.openapi.js';
import { type UsageView, UsageService } from './usage.service.js';

@ApiTags('admin')
@Controller('api/v1/admin/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary:
      "Rate limits and their use for the caller's tenant; open proxy streams and sessions (this replica)",
    description:
      'Limits per tier, tenant, deployment, gateway tool and server, with the current window of every counter that ' +
      "can be read by key: the caller's own, the tenant's, the deployment's. Counters are shared by every replica with " +
      "Redis (countersScope: deployment), else this process only. Streams and sessions are this replica's; totals " +
      'over every tenant are for platform administrators when MREG_SUPERADMIN_TENANTS is set.',
  })
  @ApiOkResponse({ description: 'Usage', schema: USAGE })
  @ApiErrors({ 403: 'INSUFFICIENT_ROLE' })
  read(@CurrentPrincipal() principal: Principal): Promise<UsageView> {
    return this.usage.of(principal);
  }
}
