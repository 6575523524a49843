import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { AuthModule } from '../auth/index.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { McpModule } from '../mcp/mcp.module.js';
import { ObservabilityModule } from '../observability/observability.module.js';
import { HealthModule } from '../health/health.module.js';
import { AdminConsoleModule } from '../admin-console/admin-console.module.js';
import './entities.js';
import { ProxyModule } from '../proxy/index.js';
import { RegistryModule } from '../registry/index.js';
import { ThrottlingModule } from '../throttling/index.js';

/**
 * The assembled gateway. Feature layers (auth, registry, proxy, audit, throttling) join here as their issues land;
 * each brings its own module and registers its guards and interceptors globally so new routes are covered by default.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        ObservabilityModule,
        HealthModule,
        AdminConsoleModule,
        AuditModule,
        AuthModule,
        // After AuthModule: global guards run in registration order, and throttling keys on the principal.
        ThrottlingModule,
        RegistryModule,
        ProxyModule,
        McpModule,
      ],
    };
  }
}
