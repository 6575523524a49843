import { GatewayException } from '../common/errors/gateway.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** Unknown id, or a server of another tenant: the same answer, so ids cannot be probed across tenants. */
export const serverNotFound = (): GatewayException =>
  new GatewayException(404, ErrorCode.SERVER_NOT_FOUND, 'No such server');

export const nameTaken = (name: string): GatewayException =>
  new GatewayException(409, ErrorCode.SERVER_NAME_TAKEN, `A server named "${name}" already exists`);

export const invalidServer = (message: string, details?: unknown): GatewayException =>
  new GatewayException(422, ErrorCode.INVALID_SERVER, message, details);

export const urlRefused = (url: string, reason: string): GatewayException =>
  new GatewayException(422, ErrorCode.UPSTREAM_URL_REFUSED, `Endpoint ${url} ${reason}`);

export const notOwner = (): GatewayException =>
  new GatewayException(
    403,
    ErrorCode.NOT_SERVER_OWNER,
    'Only an admin or the server owner may change this server',
  );

export const discoveryFailed = (message: string): GatewayException =>
  new GatewayException(502, ErrorCode.DISCOVERY_FAILED, `Capability discovery failed: ${message}`);

export const capabilitiesTooLarge = (message: string): GatewayException =>
  new GatewayException(
    502,
    ErrorCode.UPSTREAM_CAPABILITIES_TOO_LARGE,
    `The upstream's capabilities exceed the gateway's bounds: ${message}`,
  );
