import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { GatewayRole, Principal } from '../principal.js';

export const IS_PUBLIC = 'mreg:public';
export const REQUIRED_ROLES = 'mreg:roles';

/** Opts a route out of authentication. Everything else requires a valid bearer token (global guard). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires authentication and, optionally, one of the given roles, and documents exactly that in OpenAPI, so the
 * docs and the enforcement cannot drift apart.
 */
export function Authenticated(options: { roles?: GatewayRole[] } = {}): MethodDecorator & ClassDecorator {
  const roles = options.roles ?? [];
  return applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing or invalid bearer token (WWW-Authenticate names the metadata)',
    }),
    ...(roles.length > 0
      ? [ApiForbiddenResponse({ description: `Requires role ${roles.join(' or ')}` })]
      : []),
  );
}

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The authenticated caller of a REST handler. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
    return principal;
  },
);
