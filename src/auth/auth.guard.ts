import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { describeRequest } from '../common/context/request-context.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { BEARER_STRATEGY } from './bearer.strategy.js';
import { type AuthenticatedRequest, IS_PUBLIC } from '../common/decorators/auth.decorators.js';
import { ALL_ROLES, type Principal } from '../common/principal.js';

type GuardedRequest = Request & AuthenticatedRequest & { user?: unknown };

/**
 * Global guard (APP_GUARD): every route requires a valid bearer token unless marked `@Public()`. On success the
 * principal is on `req.principal` for guards and handlers, and on `req.user` for mcp-nest's per-tool role checks.
 */
@Injectable()
export class GatewayAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (context.getType() !== 'http') return this.rpcCallerIsAuthenticated(context);
    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = req.user as Principal;
    req.principal = principal;
    describeRequest({ tenantId: principal.tenantId, principalOid: principal.oid });
    // With tool access control off, MCP tools see every role: per-tool checks stop, authentication does not.
    req.user = this.config.auth.toolAccessControl ? principal : { ...principal, roles: ALL_ROLES };
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    // The strategy throws our own 401/403 exceptions; pass them through unchanged instead of Passport's generic one.
    if (error instanceof Error) throw error;
    if (!user) throw new Error('bearer strategy returned no principal');
    return user;
  }

  /** MCP tool calls run in the rpc context after the HTTP request was authenticated; refuse any that was not. */
  private rpcCallerIsAuthenticated(context: ExecutionContext): boolean {
    const ctx = context
      .switchToRpc()
      .getContext<{ getRawRequest?: () => AuthenticatedRequest | undefined }>();
    return ctx.getRawRequest?.()?.principal !== undefined;
  }
}
