import { type ConfigValidationError, loadConfig } from './load-config.js';

const ENTRA = {
  MREG_AZURE_TENANT_ID: '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c',
  MREG_AZURE_CLIENT_ID: '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716',
};

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, { dotenvDir: false });
    return [];
  } catch (error) {
    return (error as ConfigValidationError).problems;
  }
};

describe('MREG_ENTRA_OBO_ALLOWED_SCOPES', () => {
  it('is an empty allowlist by default (no restriction beyond the gateway’s own app)', () => {
    expect(loadConfig(ENTRA, { dotenvDir: false }).config.auth.oboAllowedScopes).toEqual([]);
  });

  it('splits on commas only, so one entry may be a space-separated scope list', () => {
    const { config } = loadConfig(
      {
        ...ENTRA,
        MREG_ENTRA_OBO_ALLOWED_SCOPES: ' api://hr-api/.default ,api://crm/read api://crm/write,',
      },
      { dotenvDir: false },
    );
    expect(config.auth.oboAllowedScopes).toEqual(['api://hr-api/.default', 'api://crm/read api://crm/write']);
  });

  it('refuses malformed scopes and any naming the gateway’s own app, at startup', () => {
    expect(problemsOf({ ...ENTRA, MREG_ENTRA_OBO_ALLOWED_SCOPES: 'api://x/"quoted"' })).toEqual([
      expect.objectContaining({ variable: 'MREG_ENTRA_OBO_ALLOWED_SCOPES' }),
    ]);
    expect(
      problemsOf({
        ...ENTRA,
        MREG_ENTRA_OBO_ALLOWED_SCOPES: `api://hr-api/.default,api://${ENTRA.MREG_AZURE_CLIENT_ID.toUpperCase()}/.default`,
      }),
    ).toEqual([
      expect.objectContaining({
        variable: 'MREG_ENTRA_OBO_ALLOWED_SCOPES',
        message: expect.stringMatching(/own app/),
      }),
    ]);
  });
});
