import { Global, Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module.js';
import { TenancyModule } from '../tenancy/index.js';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditChainVerifier } from './audit-chain-verifier.js';
import { AuditDenials } from './audit-denials.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditRetention } from './audit-retention.js';
import { AuditStore } from './audit-store.js';
import { AuditWriter } from './audit-writer.js';
import { AuditController } from './audit.controller.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditTools } from './audit.tools.js';
import { Auditor } from './auditor.js';
import { CallMetrics } from './call-metrics.js';
import { McpRefusalObserver } from '../common/mcp/mcp-exception.filter.js';

/**
 * The audit trail. Global, so every feature (proxy, federation, OAuth) can record through the one `Auditor`, and
 * the interceptor is registered app-wide: routes and tools added later are audited without anyone remembering to.
 */
@Global()
@Module({
  imports: [ObservabilityModule, TenancyModule],
  controllers: [AuditController, AuditTools],
  providers: [
    AuditStore,
    AuditWriter,
    Auditor,
    CallMetrics,
    AuditDenials,
    AuditQueryService,
    AuditChainVerifier,
    AuditRetention,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    // Every feature's MCP tools report refusals through this port (their exception filter lives in common).
    { provide: McpRefusalObserver, useExisting: AuditDenials },
  ],
  exports: [Auditor, AuditDenials, AuditWriter, McpRefusalObserver],
})
export class AuditModule {}
