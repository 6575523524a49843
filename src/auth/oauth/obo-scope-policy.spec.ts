import { loadConfig } from '../../config/load-config.js';
import type { Principal } from '../../common/principal.js';
import type { EntraSignInService } from './entra-sign-in.service.js';
import { OnBehalfOfError, OnBehalfOfService } from './on-behalf-of.service.js';
import { oboScopeRefusal } from './obo-scope-policy.js';

const CLIENT_ID = '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716';
const ENTRA_ENV = {
  MREG_AZURE_TENANT_ID: '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c',
  MREG_AZURE_CLIENT_ID: CLIENT_ID,
};

describe('oboScopeRefusal', () => {
  const open = { gatewayClientId: CLIENT_ID, allowedScopes: [] };

  it.each([
    `api://${CLIENT_ID}/.default`,
    `${CLIENT_ID}/.default`,
    `api://${CLIENT_ID}`,
    `API://${CLIENT_ID.toUpperCase()}/access_as_user`,
    `api://${CLIENT_ID.replace(/-/g, '')}/.default`,
    `api://${CLIENT_ID.replace('e', '%65')}/.default`,
    `https://graph.microsoft.com/.default api://${CLIENT_ID}/access_as_user`,
  ])('refuses a scope naming the gateway’s own app: %s', (scope) => {
    expect(oboScopeRefusal(scope, open)).toMatch(/MREG_AZURE_CLIENT_ID/);
  });

  it('accepts other APIs when no allowlist is configured', () => {
    expect(oboScopeRefusal('api://hr-api/.default', open)).toBeUndefined();
    expect(oboScopeRefusal('https://graph.microsoft.com/User.Read', open)).toBeUndefined();
    // Local identity mode has no app registration to protect.
    expect(oboScopeRefusal(`api://${CLIENT_ID}/.default`, { allowedScopes: [] })).toBeUndefined();
  });

  it('accepts only the allowlisted scopes, exactly, when an allowlist is configured', () => {
    const policy = { gatewayClientId: CLIENT_ID, allowedScopes: ['api://inventory/.default'] };
    expect(oboScopeRefusal('api://inventory/.default', policy)).toBeUndefined();
    for (const scope of ['api://hr-api/.default', 'api://inventory/.default ', 'API://inventory/.default']) {
      expect(oboScopeRefusal(scope, policy)).toMatch(/MREG_ENTRA_OBO_ALLOWED_SCOPES/);
    }
  });
});

describe('OnBehalfOfService: scope policy before every exchange', () => {
  const principal: Principal = {
    tenantId: 't',
    tenantKey: ENTRA_ENV.MREG_AZURE_TENANT_ID,
    oid: 'o',
    sub: 's',
    roles: ['user'],
    scopes: [],
    tokenKind: 'entra',
    superadmin: false,
    expiresAt: 0,
  };
  // An Entra that would exchange anything: the refusal must come from the gateway, for servers stored earlier.
  const signIn = {
    onBehalfOf: (_assertion: string, scope: string) =>
      Promise.resolve({ accessToken: `token-for ${scope}`, expiresInSeconds: 3600 }),
  } as unknown as EntraSignInService;

  it('refuses a stored scope naming the gateway, or one the allowlist no longer has', async () => {
    const { config } = loadConfig(
      { ...ENTRA_ENV, MREG_ENTRA_OBO_ALLOWED_SCOPES: 'api://inventory/.default' },
      { dotenvDir: false },
    );
    const sut = new OnBehalfOfService(config, signIn);
    await expect(sut.tokenFor(principal, 'api://inventory/.default', 'user-token')).resolves.toBe(
      'token-for api://inventory/.default',
    );
    await expect(sut.tokenFor(principal, 'api://hr-api/.default', 'user-token')).rejects.toBeInstanceOf(
      OnBehalfOfError,
    );
    const open = new OnBehalfOfService(loadConfig(ENTRA_ENV, { dotenvDir: false }).config, signIn);
    await expect(open.tokenFor(principal, `api://${CLIENT_ID}/.default`, 'user-token')).rejects.toThrow(
      /gateway's own app/,
    );
  });
});
