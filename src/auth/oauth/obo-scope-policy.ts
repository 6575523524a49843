/** What limits the scopes the gateway exchanges users' Entra tokens for (Entra on-behalf-of). */
export interface OboScopePolicy {
  /** The gateway's own app registration (MREG_AZURE_CLIENT_ID); unset in local identity mode. */
  readonly gatewayClientId?: string;
  /** MREG_ENTRA_OBO_ALLOWED_SCOPES: exact scope strings; empty means any scope not refused otherwise. */
  readonly allowedScopes: readonly string[];
}

/**
 * Why an on-behalf-of scope must not be used, or undefined when it may. The token Entra issues for the scope goes to
 * the upstream, so:
 * - a scope naming the gateway's own app (`{client id}/...`, `api://{client id}/...`, in any case, spelling or
 *   encoding) is refused always: it would hand the upstream a token the gateway itself accepts, i.e. the user's
 *   full identity at the gateway;
 * - with an allowlist, any scope not on it exactly is refused, so an admin cannot point users' tokens at an API the
 *   operators did not approve.
 * Used at registration (to refuse the setting) and again before every exchange (servers stored earlier).
 */
export function oboScopeRefusal(scope: string, policy: OboScopePolicy): string | undefined {
  if (policy.gatewayClientId && namesClientId(scope, policy.gatewayClientId)) {
    return "names the gateway's own app registration (MREG_AZURE_CLIENT_ID): a token for the gateway must never go to an upstream";
  }
  if (policy.allowedScopes.length > 0 && !policy.allowedScopes.includes(scope)) {
    return 'is not one of the scopes allowed by MREG_ENTRA_OBO_ALLOWED_SCOPES';
  }
  return undefined;
}

/**
 * Whether the client id (a GUID) occurs anywhere in the scope. Compared on hex digits only, after percent-decoding
 * and lower-casing, so `API://6E5D...`, `6e5d...%2F.default` or the GUID without hyphens are caught too; 32 given
 * hex digits in a row do not occur in a scope by accident.
 */
function namesClientId(scope: string, clientId: string): boolean {
  const hexOnly = (text: string) => text.toLowerCase().replace(/[^0-9a-f]/g, '');
  const id = hexOnly(clientId);
  if (id.length === 0) return false;
  let decoded = scope;
  try {
    decoded = decodeURIComponent(scope);
  } catch {
    // Not valid percent-encoding: check the text as given.
  }
  return hexOnly(scope).includes(id) || hexOnly(decoded).includes(id);
}
