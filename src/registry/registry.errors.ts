import { GatewayException } from '../common/errors/gateway.exception.js';

export enum RegistryErrorCode {
  SERVER_NOT_FOUND = 'SERVER_NOT_FOUND',
  SERVER_NAME_TAKEN = 'SERVER_NAME_TAKEN',
  INVALID_SERVER = 'INVALID_SERVER',
  UPSTREAM_URL_REFUSED = 'UPSTREAM_URL_REFUSED',
  /** An entra_obo scope naming the gateway's own app, or outside MREG_ENTRA_OBO_ALLOWED_SCOPES. */
  UPSTREAM_SCOPE_REFUSED = 'UPSTREAM_SCOPE_REFUSED',
  NOT_SERVER_OWNER = 'NOT_SERVER_OWNER',
  DISCOVERY_FAILED = 'DISCOVERY_FAILED',
  /** The upstream answered discovery with more than MREG_DISCOVERY_* allow. */
  UPSTREAM_CAPABILITIES_TOO_LARGE = 'UPSTREAM_CAPABILITIES_TOO_LARGE',
  NO_PENDING_CHANGES = 'NO_PENDING_CHANGES',
  ENCRYPTION_KEY_REQUIRED = 'ENCRYPTION_KEY_REQUIRED',
  INVALID_CURSOR = 'INVALID_CURSOR',
}

/** Unknown id, or a server of another tenant: the same answer, so ids cannot be probed across tenants. */
export const serverNotFound = (): GatewayException =>
  new GatewayException(404, RegistryErrorCode.SERVER_NOT_FOUND, 'No such server');

export const nameTaken = (name: string): GatewayException =>
  new GatewayException(409, RegistryErrorCode.SERVER_NAME_TAKEN, `A server named "${name}" already exists`);

export const invalidServer = (message: string, details?: unknown): GatewayException =>
  new GatewayException(422, RegistryErrorCode.INVALID_SERVER, message, details);

export const urlRefused = (url: string, reason: string): GatewayException =>
  new GatewayException(422, RegistryErrorCode.UPSTREAM_URL_REFUSED, `Endpoint ${url} ${reason}`);

export const notOwner = (): GatewayException =>
  new GatewayException(
    403,
    RegistryErrorCode.NOT_SERVER_OWNER,
    'Only an admin or the server owner may change this server',
  );

export const discoveryFailed = (message: string): GatewayException =>
  new GatewayException(502, RegistryErrorCode.DISCOVERY_FAILED, `Capability discovery failed: ${message}`);

export const capabilitiesTooLarge = (message: string): GatewayException =>
  new GatewayException(
    502,
    RegistryErrorCode.UPSTREAM_CAPABILITIES_TOO_LARGE,
    `The upstream's capabilities exceed the gateway's bounds: ${message}`,
  );
