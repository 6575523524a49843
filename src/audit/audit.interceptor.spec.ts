import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MCP_TOOL_METADATA_KEY, type ToolOptions } from '@rekog/mcp-nest';
import { lastValueFrom, of } from 'rxjs';
import { AuthTools } from '../auth/auth.tools.js';
import type { GatewayException } from '../common/errors/gateway.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { GatewayInfoTools } from '../mcp/gateway-info.tools.js';
import { ProxyTools } from '../proxy/proxy.tools.js';
import { RegistryTools } from '../registry/registry.tools.js';
import { TenantsTools } from '../tenancy/tenants.tools.js';
import { AuditDenials } from './audit-denials.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditTools } from './audit.tools.js';
import type { Auditor } from './auditor.js';

/** Every gateway tool on /mcp, by name, with the method mcp-nest calls for it. */
function gatewayTools(): Map<string, (...args: unknown[]) => unknown> {
  const tools = new Map<string, (...args: unknown[]) => unknown>();
  for (const type of [RegistryTools, ProxyTools, AuditTools, AuthTools, GatewayInfoTools, TenantsTools]) {
    for (const key of Object.getOwnPropertyNames(type.prototype)) {
      const method = (type.prototype as unknown as Record<string, unknown>)[key];
      if (typeof method !== 'function') continue;
      const options = Reflect.getMetadata(MCP_TOOL_METADATA_KEY, method) as ToolOptions | undefined;
      if (options?.name) tools.set(options.name, method as (...args: unknown[]) => unknown);
    }
  }
  return tools;
}

function rpcContext(name: string, handler: (...args: unknown[]) => unknown): ExecutionContext {
  const ctx = { mcpRequest: { method: 'tools/call', params: { name } } };
  return {
    getType: () => 'rpc',
    getHandler: () => handler,
    getClass: () => class {},
    switchToRpc: () => ({ getContext: () => ctx, getData: () => ({}) }),
  } as unknown as ExecutionContext;
}

/** The interceptor with fail-closed on and the audit trail out (its records go to the spill file). */
function failClosedWithAuditOut(): AuditInterceptor {
  const auditor = { enabled: true, durable: false, record: () => undefined } as unknown as Auditor;
  const config = { audit: { failClosed: true } } as AppConfig;
  return new AuditInterceptor(new Reflector(), auditor, new AuditDenials(auditor), config);
}

describe('AuditInterceptor, fail-closed, on the gateway MCP tools', () => {
  it('refuses exactly the tools that do not declare themselves read-only while audit records cannot be stored', async () => {
    const sut = failClosedWithAuditOut();
    const ran = (): CallHandler => ({ handle: () => of('ran') });
    const refused: string[] = [];
    const answered: string[] = [];
    for (const [name, handler] of gatewayTools()) {
      try {
        await lastValueFrom(sut.intercept(rpcContext(name, handler), ran()));
        answered.push(name);
      } catch (error) {
        expect((error as GatewayException).code).toBe('AUDIT_UNAVAILABLE');
        expect((error as GatewayException).getStatus()).toBe(503);
        refused.push(name);
      }
    }
    expect(refused.sort()).toEqual([
      'approve_server_changes',
      'proxy_request',
      'register_server',
      'unregister_server',
      'update_server',
    ]);
    expect(answered.sort()).toEqual([
      'gateway_info',
      'get_router_metrics',
      'get_server',
      'health_check',
      'list_servers',
      'list_tenants',
      'query_audit_log',
      'search_tools',
      'whoami',
    ]);
  });
});
