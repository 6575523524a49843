import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GatewayException } from '../common/errors/gateway.exception.js';
import type { GatewayRole } from '../config/app-config.js';
import { REQUIRED_ROLES } from '../common/decorators/auth.decorators.js';
import { effectiveRoles, type Principal } from '../common/principal.js';
import { ResourceUrls } from './resource-urls.js';
import { RolesGuard } from './roles.guard.js';

function contextFor(
  required: GatewayRole[] | undefined,
  granted: GatewayRole[] | undefined,
): ExecutionContext {
  const handler = () => undefined;
  if (required) Reflect.defineMetadata(REQUIRED_ROLES, required, handler);
  const principal = granted ? ({ roles: effectiveRoles(granted) } as Partial<Principal>) : undefined;
  const req = { principal, path: '/api/v1/tenants', protocol: 'http', get: () => 'gw:8000' };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('RolesGuard', () => {
  const sut = new RolesGuard(new Reflector(), new ResourceUrls());

  it('lets through routes without a role requirement', () => {
    expect(sut.canActivate(contextFor(undefined, ['user']))).toBe(true);
  });

  it('lets through a caller holding the role, directly or by implication', () => {
    expect(sut.canActivate(contextFor(['admin'], ['admin']))).toBe(true);
    expect(sut.canActivate(contextFor(['server_owner'], ['admin']))).toBe(true);
  });

  it('refuses with 403 and an insufficient_scope challenge naming the role', () => {
    let error: GatewayException | undefined;
    try {
      sut.canActivate(contextFor(['admin'], ['server_owner']));
    } catch (thrown) {
      error = thrown as GatewayException;
    }
    expect(error?.getStatus()).toBe(403);
    expect(error?.code).toBe('INSUFFICIENT_ROLE');
    expect(error?.headers?.['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="requires role admin", resource_metadata="http://gw:8000/.well-known/oauth-protected-resource"',
    );
  });
});
