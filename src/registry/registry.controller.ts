import { APPROVAL, CAPABILITIES_VIEW } from './registry.openapi.js';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditServerParam } from '../common/decorators/audit.decorators.js';
import { Authenticated, CurrentPrincipal } from '../common/decorators/auth.decorators.js';
import type { Principal } from '../common/principal.js';
import { ApiErrors } from '../common/http/api-errors.js';
import { CapabilitiesService, type CapabilitiesView } from './capabilities.service.js';
import { ApproveChangesDto } from './dto/approve-changes.dto.js';
import { ListServersQuery } from './dto/list-servers.query.js';
import { RegisterServerDto, UpdateServerDto } from './dto/register-server.dto.js';
import { RegistrationView, ServerPage, ServerView } from './dto/server-view.dto.js';
import { type Registration, RegistryService } from './registry.service.js';

const NOT_FOUND = { 404: 'SERVER_NOT_FOUND (unknown id, or a server of another tenant)' };

@ApiTags('servers')
@AuditServerParam('id')
@Controller('api/v1/servers')
@Authenticated()
export class RegistryController {
  constructor(
    private readonly registry: RegistryService,
    private readonly capabilities: CapabilitiesService,
  ) {}

  @Post()
  @Authenticated({ roles: ['admin', 'server_owner'] })
  @ApiOperation({ summary: 'Register a server; its capabilities are discovered now unless discover=false' })
  @ApiCreatedResponse({ type: RegistrationView })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    409: 'SERVER_NAME_TAKEN',
    422: 'UPSTREAM_URL_REFUSED | INVALID_SERVER | ENCRYPTION_KEY_REQUIRED',
    502: 'DISCOVERY_FAILED',
  })
  register(@CurrentPrincipal() principal: Principal, @Body() dto: RegisterServerDto): Promise<Registration> {
    return this.registry.register(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Servers the caller can see, filtered, by cursor or page' })
  @ApiOkResponse({ type: ServerPage })
  @ApiErrors({ 400: 'VALIDATION_FAILED | INVALID_CURSOR' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListServersQuery): Promise<ServerPage> {
    return this.registry.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One server' })
  @ApiOkResponse({ type: ServerView })
  @ApiErrors(NOT_FOUND)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ServerView> {
    return this.registry.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a server (admin, or its owner); omitted secrets are kept' })
  @ApiOkResponse({ type: ServerView })
  @ApiErrors({ ...NOT_FOUND, 403: 'NOT_SERVER_OWNER', 409: 'SERVER_NAME_TAKEN', 422: 'UPSTREAM_URL_REFUSED' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateServerDto,
  ): Promise<ServerView> {
    return this.registry.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a server (admin, or its owner)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors({ ...NOT_FOUND, 403: 'NOT_SERVER_OWNER' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    return this.registry.unregister(principal, id);
  }

  @Post(':id/health')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the server now (admin, or its owner) and refresh its capabilities' })
  @ApiOkResponse({ type: ServerView })
  @ApiErrors({ ...NOT_FOUND, 403: 'NOT_SERVER_OWNER' })
  checkNow(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ServerView> {
    return this.capabilities.checkNow(principal, id);
  }

  @Get(':id/capabilities')
  @ApiOperation({ summary: 'Approved capabilities, and pending changes for admins and the owner' })
  @ApiOkResponse({ description: 'Capability snapshot', schema: CAPABILITIES_VIEW })
  @ApiErrors(NOT_FOUND)
  getCapabilities(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<CapabilitiesView> {
    return this.capabilities.capabilities(principal, id);
  }

  @Post(':id/approve-changes')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  @ApiOperation({ summary: "Approve the upstream's changed tools so the gateway serves them (admin)" })
  @ApiOkResponse({ description: 'The server and what changed', schema: APPROVAL })
  @ApiErrors({ ...NOT_FOUND, 409: 'NO_PENDING_CHANGES' })
  approve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: ApproveChangesDto,
  ): ReturnType<CapabilitiesService['approveChanges']> {
    return this.capabilities.approveChanges(principal, id, dto.capabilitiesHash);
  }
}
