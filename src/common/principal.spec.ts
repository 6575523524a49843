import { effectiveRoles, isGatewayRole } from './principal.js';

describe('effectiveRoles', () => {
  it.each([
    [['admin'], ['admin', 'server_owner', 'user']],
    [['server_owner'], ['server_owner', 'user']],
    [['user'], ['user']],
    [
      ['user', 'admin', 'user'],
      ['admin', 'server_owner', 'user'],
    ],
    [[], []],
  ] as const)('%j implies %j', (granted, expected) => {
    expect(effectiveRoles(granted)).toEqual(expected);
  });

  it('recognises only gateway roles', () => {
    expect(['admin', 'Admin', 'root', 3].map(isGatewayRole)).toEqual([true, false, false, false]);
  });
});
