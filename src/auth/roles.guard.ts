import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  type AccessMatchMode,
  type McpContext,
  MCP_ROLES_MATCH_METADATA_KEY,
  MCP_ROLES_METADATA_KEY,
} from '@rekog/mcp-nest';
import type { Request } from 'express';
import type { GatewayRole } from '../config/app-config.js';
import { insufficientRole } from './auth.errors.js';
import { type AuthenticatedRequest, REQUIRED_ROLES } from '../common/decorators/auth.decorators.js';
import { ResourceUrls } from './resource-urls.js';

/**
 * Global guard after authentication: enforces `@Authenticated({ roles })` on REST routes (any listed role), and
 * `@ToolRoles` on the gateway's MCP tools. mcp-nest hides a tool from `tools/list` by the same metadata; refusing a
 * call is left to this guard (see GatewayMcpServer), so it answers 403 INSUFFICIENT_ROLE like every other refusal
 * and is audited as a denial.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly urls: ResourceUrls,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'rpc') return this.toolRolesMet(context);
    if (context.getType() !== 'http') return true;
    const required = this.reflector.getAllAndOverride<GatewayRole[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    if (req.principal && required.some((role) => req.principal?.roles.includes(role))) return true;
    throw insufficientRole(this.urls.metadataUrl(req), required);
  }

  private toolRolesMet(context: ExecutionContext): boolean {
    const required = this.reflector.get<string[] | undefined>(MCP_ROLES_METADATA_KEY, context.getHandler());
    if (!required || required.length === 0) return true;
    const match =
      this.reflector.get<AccessMatchMode | undefined>(MCP_ROLES_MATCH_METADATA_KEY, context.getHandler()) ??
      'all';
    const req = context
      .switchToRpc()
      .getContext<McpContext>()
      .getRawRequest<Request & { user?: { roles?: string[] } }>();
    // req.user is what mcp-nest filters tools/list by (every role when MREG_FASTMCP_ENABLE_TOOL_ACCESS_CONTROL is off).
    const held = req?.user?.roles ?? [];
    const met =
      match === 'any'
        ? required.some((role) => held.includes(role))
        : required.every((role) => held.includes(role));
    if (met) return true;
    throw insufficientRole(req ? this.urls.metadataUrl(req) : '', required);
  }
}
