import { devPrincipal, localPrincipal, parseRoleList } from './dev-sign-in.js';

describe('local-mode principals', () => {
  it('gives the same tenant and user the same object id, and different users different ones', () => {
    const alice = localPrincipal('acme', 'alice', ['user']);
    expect(localPrincipal('acme', 'alice', ['admin']).oid).toBe(alice.oid);
    expect(localPrincipal('acme', 'bob', ['user']).oid).not.toBe(alice.oid);
    expect(localPrincipal('globex', 'alice', ['user']).oid).not.toBe(alice.oid);
    expect(alice).toMatchObject({
      tenantKey: 'local:acme',
      sub: alice.oid,
      name: 'alice',
      kind: 'local',
      scopes: [],
    });
    expect(alice.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('expands roles and refuses anything but gateway roles', () => {
    expect(parseRoleList(' server_owner ,user')).toEqual(['server_owner', 'user']);
    expect(parseRoleList('root')).toBeUndefined();
    expect(parseRoleList(' , ')).toBeUndefined();
    expect(localPrincipal('acme', 'a', ['admin']).roles).toEqual(['admin', 'server_owner', 'user']);
  });

  it('turns the development sign-in form into a principal, or says what is wrong', () => {
    expect(devPrincipal({ tenant: 'acme', user: 'carol', roles: 'admin' })).toEqual(
      localPrincipal('acme', 'carol', ['admin']),
    );
    expect(devPrincipal(undefined)).toMatchObject({
      tenantKey: 'local:default',
      name: 'developer',
      roles: ['user'],
    });
    expect(devPrincipal({ tenant: 'a b' })).toBe('tenant and user must be plain names');
    expect(devPrincipal({ roles: 'root' })).toBe('roles must be admin, server_owner and/or user');
  });
});
