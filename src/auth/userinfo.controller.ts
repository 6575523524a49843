import { USERINFO } from './auth.openapi.js';
import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig, type AuthMode } from '../config/app-config.js';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';

export interface UserInfo extends Principal {
  authMode: AuthMode;
}

@ApiTags('oauth')
@Controller('oauth')
export class UserInfoController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('userinfo')
  @Authenticated()
  @ApiOperation({ summary: 'The calling principal and the identity mode of the gateway' })
  @ApiOkResponse({
    description: 'Principal: tenant, user, effective roles, scopes, token kind',
    schema: USERINFO,
  })
  userinfo(@CurrentPrincipal() principal: Principal): UserInfo {
    return { ...principal, authMode: this.config.auth.mode };
  }

  /** OpenID Connect asks userinfo endpoints to answer POST as well as GET. */
  @Post('userinfo')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Same as GET /oauth/userinfo' })
  @ApiOkResponse({ description: 'As GET /oauth/userinfo', schema: USERINFO })
  userinfoByPost(@CurrentPrincipal() principal: Principal): UserInfo {
    return this.userinfo(principal);
  }
}
