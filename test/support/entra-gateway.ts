import type { GatewayApp } from '../../src/app/gateway-app.js';
import type { FakeEntra } from './fake-entra.js';
import { startGateway } from './gateway.js';

/** The tenant and app registration the Entra-mode tests use. */
export const ENTRA_TID = '3f6c2a51-4b1e-4c8e-9b7a-1d2e3f4a5b6c';
export const OTHER_TID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const ENTRA_CLIENT_ID = '6e5d4c3b-2a19-4f8e-8d7c-6b5a49382716';
export const TEST_ENCRYPTION_KEY = '6d7265672d746573742d6b65792d6e6f742d666f722d70726f64756374696f6e';

/** A gateway in Entra ID mode against the fake Entra, with the OAuth proxy fully configured. */
export function startEntraGateway(
  entra: FakeEntra,
  overrides: Record<string, string | undefined> = {},
): Promise<GatewayApp> {
  return startGateway({
    MREG_AZURE_TENANT_ID: ENTRA_TID,
    MREG_AZURE_CLIENT_ID: ENTRA_CLIENT_ID,
    MREG_AZURE_CLIENT_SECRET: entra.clientSecret,
    // Replicas share one key, and so do all test gateways on this run's database (its signing keys are sealed with it).
    MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    MREG_ENTRA_AUTHORITY_HOST: entra.url,
    ...overrides,
  });
}
