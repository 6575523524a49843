import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Public } from '../common/decorators/auth.decorators.js';
import { PROTECTED_RESOURCE_METADATA_PATH, ResourceUrls } from './resource-urls.js';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: ['header'];
  scopes_supported: string[];
  resource_name: string;
  resource_documentation: string;
}

/**
 * RFC 9728 Protected Resource Metadata, at the well-known path and its path-inserted forms
 * (`/.well-known/oauth-protected-resource/mcp`, `/.well-known/oauth-protected-resource/servers/{id}/mcp`), with
 * `resource` equal to the URL the client used. The authorization server is the gateway itself (its OAuth proxy).
 */
@ApiTags('oauth')
@Public()
@Controller(PROTECTED_RESOURCE_METADATA_PATH.slice(1))
export class ProtectedResourceController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly urls: ResourceUrls,
  ) {}

  @Get()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Protected Resource Metadata of the gateway itself (REST API)' })
  @ApiOkResponse({ description: 'RFC 9728 metadata' })
  forGateway(@Req() req: Request): ProtectedResourceMetadata {
    return this.describe(req, '');
  }

  @Get('*resource')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Protected Resource Metadata of one MCP endpoint, e.g. /.well-known/oauth-protected-resource/mcp',
  })
  @ApiOkResponse({ description: 'RFC 9728 metadata' })
  forResource(@Req() req: Request): ProtectedResourceMetadata {
    return this.describe(req, req.path.slice(PROTECTED_RESOURCE_METADATA_PATH.length));
  }

  private describe(req: Request, resourcePath: string): ProtectedResourceMetadata {
    const base = this.urls.baseUrl(req);
    const scopes = this.config.auth.clientId ? [`api://${this.config.auth.clientId}/.default`] : [];
    return {
      resource: `${base}${resourcePath}`,
      authorization_servers: [base],
      bearer_methods_supported: ['header'],
      scopes_supported: scopes,
      resource_name: 'MCP Registry Gateway',
      resource_documentation: `${base}/docs`,
    };
  }
}
