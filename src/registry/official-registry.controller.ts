import { Body, Controller, Get, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { OFFICIAL_LIST, OFFICIAL_SERVER } from './registry.openapi.js';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { ResourceUrls } from '../auth/index.js';
import { ApiErrors } from '../common/http/api-errors.js';
import { RegisterServerDto } from './dto/register-server.dto.js';
import {
  CURSOR_MAX_LENGTH,
  MAX_PAGE_SIZE,
  OFFICIAL_DEFAULT_PAGE_SIZE,
  OFFICIAL_VERSION_FILTER_MAX_LENGTH,
  SEARCH_TEXT_MAX_LENGTH,
  SERVER_NAME_PATTERN,
} from './registry.limits.js';
import { validateInput } from '../common/mcp/validate-input.js';
import { ServerJsonDto } from './dto/server-json.dto.js';
import { RegistrationView } from './dto/server-view.dto.js';
import {
  type OfficialServerResponse,
  registrationFromServerJson,
  toOfficialServer,
} from './official-registry.js';
import { type Registration, RegistryService } from './registry.service.js';

class OfficialListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(CURSOR_MAX_LENGTH) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: OFFICIAL_DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
  @ApiPropertyOptional({ description: 'Substring of the server name' })
  @IsOptional()
  @IsString()
  @MaxLength(SEARCH_TEXT_MAX_LENGTH)
  search?: string;
  @ApiPropertyOptional({ description: 'Accepted for compatibility; every server has one version here' })
  @IsOptional()
  @IsString()
  @MaxLength(OFFICIAL_VERSION_FILTER_MAX_LENGTH)
  version?: string;
}

class ImportQuery {
  @ApiPropertyOptional({ description: 'Server name to use instead of one derived from server.json' })
  @IsOptional()
  @Matches(SERVER_NAME_PATTERN)
  name?: string;
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  discover?: boolean;
}

/** The official MCP Registry API, read-only, over what the caller can see; and import of `server.json`. */
@ApiTags('official registry')
@Controller()
@Authenticated()
export class OfficialRegistryController {
  constructor(
    private readonly registry: RegistryService,
    @Inject(ResourceUrls) private readonly urls: ResourceUrls,
  ) {}

  @Get('v0.1/servers')
  @ApiOperation({
    summary: 'Official Registry API: servers visible to the caller, with the gateway URL as remote',
  })
  @ApiOkResponse({ description: 'Servers visible to the caller', schema: OFFICIAL_LIST })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OfficialListQuery,
    @Req() req: Request,
  ): Promise<{ servers: OfficialServerResponse[]; metadata: { nextCursor?: string; count: number } }> {
    const page = await this.registry.listRegistered(principal, {
      q: query.search,
      cursor: query.cursor,
      limit: query.limit ?? OFFICIAL_DEFAULT_PAGE_SIZE,
    });
    const base = this.urls.baseUrl(req);
    return {
      servers: page.items.map((server) => toOfficialServer(server, base)),
      metadata: { ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), count: page.items.length },
    };
  }

  @Get('v0.1/servers/:name/versions/latest')
  @ApiOperation({ summary: 'Official Registry API: the latest (only) version of one server' })
  @ApiOkResponse({ description: 'The server', schema: OFFICIAL_SERVER })
  @ApiErrors({ 404: 'SERVER_NOT_FOUND' })
  async latest(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Req() req: Request,
  ): Promise<OfficialServerResponse> {
    return toOfficialServer(await this.registry.find(principal, name), this.urls.baseUrl(req));
  }

  @Post('api/v1/servers/import')
  @Authenticated({ roles: ['admin', 'server_owner'] })
  @ApiOperation({ summary: "Register a server from the official registry's server.json (remotes only)" })
  @ApiCreatedResponse({ type: RegistrationView })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    409: 'SERVER_NAME_TAKEN',
    422: 'UPSTREAM_URL_REFUSED | INVALID_SERVER',
  })
  async import(
    @CurrentPrincipal() principal: Principal,
    @Body() json: ServerJsonDto,
    @Query() query: ImportQuery,
  ): Promise<Registration> {
    // The mapped registration passes the same validation as a direct one (header names, sizes, name pattern).
    const registration = await validateInput(RegisterServerDto, registrationFromServerJson(json, query));
    return this.registry.register(principal, registration);
  }
}
