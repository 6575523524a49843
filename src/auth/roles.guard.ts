import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { GatewayRole } from '../config/app-config.js';
import { insufficientRole } from './auth.errors.js';
import { type AuthenticatedRequest, REQUIRED_ROLES } from './decorators.js';
import { ResourceUrls } from './resource-urls.js';

/** Global guard after authentication: enforces `@Authenticated({ roles })` on REST routes (any listed role). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly urls: ResourceUrls,
  ) {}

  canActivate(context: ExecutionContext): boolean {
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
}
