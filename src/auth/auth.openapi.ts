import type { SchemaObject } from '@nestjs/swagger';
import { arrayOf, boolean, integer, objectOf, text } from '../common/http/openapi-schema.js';

/** GET|POST /oauth/userinfo */
export const USERINFO: SchemaObject = objectOf(
  {
    tenantId: text,
    tenantKey: text,
    oid: text,
    sub: text,
    name: text,
    roles: arrayOf({ type: 'string', enum: ['admin', 'server_owner', 'user'] }),
    scopes: arrayOf(text),
    clientId: text,
    tokenKind: text,
    superadmin: boolean,
    authMode: { type: 'string', enum: ['entra', 'local'] },
  },
  ['name', 'clientId'],
);

/** POST /oauth/token, form-encoded (RFC 6749 §4.1.3 and §6). */
export const TOKEN_REQUEST: SchemaObject = objectOf(
  {
    grant_type: { type: 'string', enum: ['authorization_code', 'refresh_token'] },
    code: text,
    redirect_uri: text,
    code_verifier: text,
    refresh_token: text,
    client_id: text,
    client_secret: text,
    resource: text,
  },
  ['code', 'redirect_uri', 'code_verifier', 'refresh_token', 'client_id', 'client_secret', 'resource'],
);

export const TOKEN_RESPONSE: SchemaObject = objectOf(
  {
    access_token: text,
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: integer,
    refresh_token: text,
    scope: text,
  },
  ['scope'],
);

/** POST /oauth/revoke, form-encoded (RFC 7009). */
export const REVOKE_REQUEST: SchemaObject = objectOf(
  { token: text, token_type_hint: text, client_id: text, client_secret: text },
  ['token_type_hint', 'client_id', 'client_secret'],
);

/** POST /oauth/register (RFC 7591): the metadata a client sends, and what it gets back. */
export const CLIENT_METADATA: SchemaObject = objectOf(
  {
    redirect_uris: arrayOf(text),
    client_name: text,
    token_endpoint_auth_method: {
      type: 'string',
      enum: ['none', 'client_secret_post', 'client_secret_basic'],
    },
    grant_types: arrayOf(text),
    response_types: arrayOf(text),
    scope: text,
  },
  ['client_name', 'token_endpoint_auth_method', 'grant_types', 'response_types', 'scope'],
);

export const REGISTERED_CLIENT: SchemaObject = {
  ...objectOf(
    { client_id: text, client_secret: text, client_id_issued_at: integer, redirect_uris: arrayOf(text) },
    ['client_secret'],
  ),
  additionalProperties: true,
};
