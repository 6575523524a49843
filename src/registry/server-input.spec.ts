import { effectiveRoles, type Principal } from '../common/principal.js';
import type { GatewayRole } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';
import type { ServerSettingsDto } from './dto/register-server.dto.js';
import type { ServerEndpoint, StoredUpstreamAuth } from './registry.types.js';
import { ServerInput } from './server-input.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { UpstreamSecrets } from './upstream-secrets.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const GATEWAY_CLIENT_ID = '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716';
const HERE = 'http://127.0.0.1:4000/mcp';
const ELSEWHERE = 'http://127.0.0.2:4000/mcp';

function principal(role: GatewayRole): Principal {
  return {
    tenantId: '00000000-0000-4000-8000-000000000001',
    tenantKey: 'tid',
    oid: `oid-${role}`,
    sub: `sub-${role}`,
    roles: effectiveRoles([role]),
    scopes: [],
    tokenKind: 'entra',
    superadmin: false,
    expiresAt: 0,
  };
}

function makeSut(env: Record<string, string> = {}): ServerInput {
  const { config } = loadConfig(
    {
      MREG_AZURE_TENANT_ID: '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c',
      MREG_AZURE_CLIENT_ID: GATEWAY_CLIENT_ID,
      MREG_ENCRYPTION_KEY: '6d7265672d746573742d6b65792d6e6f742d666f722d70726f64756374696f6e',
      // Loopback addresses only: no DNS in a unit spec.
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      ...env,
    },
    { dotenvDir: false },
  );
  return new ServerInput(config, new UpstreamCredentials(new UpstreamSecrets(config)));
}

const obo = (scope: string): ServerSettingsDto => ({
  url: HERE,
  upstreamAuth: { type: 'entra_obo', scope },
});

const oboServer = (scope = 'api://inventory/.default') => ({
  upstreamAuth: { type: 'entra_obo', scope } as StoredUpstreamAuth,
  endpoints: [{ url: HERE, weight: 1 }] as ServerEndpoint[],
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { getStatus(): number; code: string; message: string }) => ({
      status: error.getStatus(),
      code: error.code,
      message: error.message,
    }),
  );

describe('ServerInput: entra_obo upstream auth', () => {
  it('lets only admins set it (a server_owner could otherwise harvest users’ tokens for any API)', async () => {
    const sut = makeSut();
    expect(
      await refusal(sut.toColumns(principal('server_owner'), obo('api://hr-api/.default'), 's1')),
    ).toEqual(expect.objectContaining({ status: 403, code: 'INSUFFICIENT_ROLE' }));
    const columns = await sut.toColumns(principal('admin'), obo('api://hr-api/.default'), 's1');
    expect(columns.upstreamAuth).toEqual({ type: 'entra_obo', scope: 'api://hr-api/.default' });
  });

  it('lets only admins change its scope, or switch an existing server to it', async () => {
    const sut = makeSut();
    const owner = principal('server_owner');
    expect(
      await refusal(
        sut.toColumns(owner, { upstreamAuth: obo('api://hr-api/.default').upstreamAuth }, 's1', oboServer()),
      ),
    ).toEqual(expect.objectContaining({ status: 403 }));
    const plain = { upstreamAuth: { type: 'none' } as StoredUpstreamAuth, endpoints: oboServer().endpoints };
    expect(
      await refusal(
        sut.toColumns(owner, { upstreamAuth: obo('api://inventory/.default').upstreamAuth }, 's1', plain),
      ),
    ).toEqual(expect.objectContaining({ status: 403 }));
    // Re-stating exactly what an admin set, without moving the server, changes nothing and stays allowed.
    const same = await sut.toColumns(owner, { upstreamAuth: oboServer().upstreamAuth }, 's1', oboServer());
    expect(same.upstreamAuth).toEqual(oboServer().upstreamAuth);
  });

  it.each([
    `api://${GATEWAY_CLIENT_ID}/.default`,
    `api://${GATEWAY_CLIENT_ID}/access_as_user`,
    `${GATEWAY_CLIENT_ID}/.default`,
    `API://${GATEWAY_CLIENT_ID.toUpperCase()}/.default`,
    `openid api://${GATEWAY_CLIENT_ID}/access_as_user`,
  ])('refuses a scope naming the gateway’s own app, even for admins: %s', async (scope) => {
    expect(await refusal(makeSut().toColumns(principal('admin'), obo(scope), 's1'))).toEqual(
      expect.objectContaining({ status: 400, code: ErrorCode.UPSTREAM_SCOPE_REFUSED }),
    );
  });

  it('refuses scopes outside MREG_ENTRA_OBO_ALLOWED_SCOPES when it is set, and accepts those on it', async () => {
    const sut = makeSut({
      MREG_ENTRA_OBO_ALLOWED_SCOPES: 'api://inventory/.default, api://crm/read api://crm/write',
    });
    const admin = principal('admin');
    const refused = await refusal(sut.toColumns(admin, obo('api://hr-api/.default'), 's1'));
    expect(refused).toEqual(expect.objectContaining({ status: 400, code: ErrorCode.UPSTREAM_SCOPE_REFUSED }));
    expect(refused?.message).toMatch(/MREG_ENTRA_OBO_ALLOWED_SCOPES/);
    await expect(sut.toColumns(admin, obo('api://inventory/.default'), 's1')).resolves.toBeDefined();
    await expect(sut.toColumns(admin, obo('api://crm/read api://crm/write'), 's1')).resolves.toBeDefined();
    // Exact match: a prefix or another spelling of an allowed scope is not allowed.
    expect(await refusal(sut.toColumns(admin, obo('api://crm/read'), 's1'))).toEqual(
      expect.objectContaining({ status: 400 }),
    );
  });

  it('keeps an entra_obo server on its hosts unless an admin states upstreamAuth again', async () => {
    const sut = makeSut();
    const moved: ServerSettingsDto = { url: ELSEWHERE };
    for (const who of [principal('server_owner'), principal('admin')]) {
      expect(await refusal(sut.toColumns(who, moved, 's1', oboServer()))).toEqual(
        expect.objectContaining({ status: 422, code: 'INVALID_SERVER' }),
      );
    }
    const restated: ServerSettingsDto = { url: ELSEWHERE, upstreamAuth: oboServer().upstreamAuth };
    expect(await refusal(sut.toColumns(principal('server_owner'), restated, 's1', oboServer()))).toEqual(
      expect.objectContaining({ status: 403, code: 'INSUFFICIENT_ROLE' }),
    );
    const columns = await sut.toColumns(principal('admin'), restated, 's1', oboServer());
    expect(columns.endpoints).toEqual([{ url: ELSEWHERE, weight: 1 }]);

    // Another path on the same host is another backend behind a shared API gateway: an admin's decision too.
    const owner = principal('server_owner');
    expect(await refusal(sut.toColumns(owner, { url: `${HERE}/v2` }, 's1', oboServer()))).toEqual(
      expect.objectContaining({ status: 403, code: 'INSUFFICIENT_ROLE' }),
    );
    await expect(
      sut.toColumns(principal('admin'), { url: `${HERE}/v2` }, 's1', oboServer()),
    ).resolves.toBeDefined();
    // Its own URLs again (other settings changed), or giving up on-behalf-of altogether, sends no user token anywhere new.
    await expect(
      sut.toColumns(owner, { url: HERE, title: 'Inventory' }, 's1', oboServer()),
    ).resolves.toBeDefined();
    const dropped = await sut.toColumns(
      owner,
      { url: ELSEWHERE, upstreamAuth: { type: 'none' } },
      's1',
      oboServer(),
    );
    expect(dropped.upstreamAuth).toEqual({ type: 'none' });
  });

  it('still requires the secret again when a static secret moves, but not when the secret is dropped', async () => {
    const sut = makeSut();
    const owner = principal('server_owner');
    const stored = await sut.toColumns(
      owner,
      { url: HERE, upstreamAuth: { type: 'static', value: 'Bearer x' } },
      's1',
    );
    const server = { upstreamAuth: stored.upstreamAuth!, endpoints: stored.endpoints! };
    expect(await refusal(sut.toColumns(owner, { url: ELSEWHERE }, 's1', server))).toEqual(
      expect.objectContaining({ status: 422 }),
    );
    await expect(
      sut.toColumns(owner, { url: ELSEWHERE, upstreamAuth: { type: 'none' } }, 's1', server),
    ).resolves.toBeDefined();
  });
});
