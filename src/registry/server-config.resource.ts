import { Inject } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { type McpContext, Resource } from '@rekog/mcp-nest';
import { principalOf } from '../common/mcp/principal-of.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { GatewayMcpTools } from '../common/mcp/mcp-exception.filter.js';
import { GATEWAY_VERSION } from '../common/version.js';
import { assertRole } from '../common/principal.js';
import { RegistryService } from './registry.service.js';

const URI = 'config://server';

/** `config://server`: what an admin needs to know about this gateway, and nothing secret. */
@GatewayMcpTools()
export class ServerConfigResource {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly registry: RegistryService,
  ) {}

  @Resource({
    uri: URI,
    name: 'Gateway configuration',
    description:
      'Admin: database and Redis status, registered server count, auth mode, feature flags, version',
    mimeType: 'application/json',
  })
  async read(
    @Ctx() ctx: McpContext,
  ): Promise<{ contents: { uri: string; mimeType: string; text: string }[] }> {
    const principal = principalOf(ctx);
    assertRole(principal, 'admin');
    const database = await this.database.ping().then(
      () => 'ok',
      () => 'unreachable',
    );
    const body = {
      version: GATEWAY_VERSION,
      environment: this.config.nodeEnv,
      database: { kind: this.database.kind, status: database },
      redis: { configured: Boolean(this.config.redisUrl) },
      registeredServers: await this.registry.countOwn(principal),
      auth: { mode: this.config.auth.mode, toolAccessControl: this.config.auth.toolAccessControl },
      features: {
        auditLogging: this.config.audit.enabled,
        rateLimiting: this.config.rateLimit.enabled,
        healthChecks: this.config.healthChecksEnabled,
        allowPrivateUpstreams: this.config.allowPrivateUpstreams,
      },
    };
    return { contents: [{ uri: URI, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
  }
}
