import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import { ApiErrors } from '../common/http/api-errors.js';
import { arrayOf, boolean, nullable, objectOf, text } from '../common/http/openapi-schema.js';
import type { Principal } from '../common/principal.js';
import { type SettingsView, SettingsService } from './settings.service.js';

const SETTINGS = objectOf({
  settings: arrayOf(
    objectOf(
      {
        name: text,
        value: nullable({
          description:
            'The effective value (string, number, boolean or list); secrets as ****, or a URL with its password masked',
        }),
        source: { type: 'string', enum: ['env', '.env', 'default'] },
        secret: boolean,
        description: text,
        usedBy: text,
      },
      ['usedBy'],
    ),
  ),
  secretsMasked: { type: 'boolean', enum: [true] },
});

@ApiTags('admin')
@Controller('api/v1/admin/config')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({
    summary: 'The effective configuration with secrets masked, as `mcp-gateway config` prints it',
    description:
      'Every MREG_* variable with its value and where it came from (env, .env, default). Secrets are always masked; ' +
      'there is no way to read them over HTTP. With MREG_SUPERADMIN_TENANTS set, platform administrators only.',
  })
  @ApiOkResponse({ description: 'The masked configuration', schema: SETTINGS })
  @ApiErrors({ 403: 'INSUFFICIENT_ROLE | FORBIDDEN' })
  effective(@CurrentPrincipal() principal: Principal): SettingsView {
    return this.settings.effectiveFor(principal);
  }
}
