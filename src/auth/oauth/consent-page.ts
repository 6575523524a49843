import type { Response } from 'express';

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

export interface ConsentPageModel {
  requestId: string;
  csrfToken: string;
  clientName: string;
  redirectUri: string;
  resource: string;
  scope: string;
  /** Local identity mode: the page also asks who to sign in as. */
  devLogin: boolean;
  /** Configured by the operator or built into the gateway (the admin console), rather than self-registered. */
  trustedClient?: boolean;
}

/**
 * Headers every HTML page of the authorization server carries: no framing (clickjacking), no caching, no referrer
 * to other sites, and forms that submit only to the gateway. `formTargets`: where a form's answer may redirect the browser on to
 * (Chromium applies form-action to the redirects that follow a submission): the client's redirect URI, Entra.
 */
export function setPageSecurityHeaders(res: Response, formTargets: readonly string[] = []): void {
  const targets = ["'self'", ...formTargets.map(cspSource).filter((source) => source !== undefined)];
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action ${[...new Set(targets)].join(' ')}`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the page's form POST (Fetch
  // spec, "append a request Origin header"), and the Origin guard then refuses the consent. Other sites still get no
  // referrer, so the request's parameters never leave the gateway.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** A URL as a CSP source: its origin (http, https), or its scheme alone (an app's custom scheme such as vscode:). */
function cspSource(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(parsed.protocol) ? parsed.protocol : undefined;
  } catch {
    return undefined;
  }
}

/** The consent page: names the client, where the browser will be sent back to, and what access it asks for. */
export function renderConsentPage(model: ConsentPageModel): string {
  const redirectHost = (() => {
    try {
      return new URL(model.redirectUri).host || model.redirectUri;
    } catch {
      return model.redirectUri;
    }
  })();
  const devLogin = model.devLogin
    ? `<fieldset><legend>Development sign-in (local identity mode)</legend>
        <label>Tenant <input name="tenant" value="default" pattern="[A-Za-z0-9._-]{1,63}" required></label>
        <label>User <input name="user" value="developer" pattern="[A-Za-z0-9._-]{1,63}" required></label>
        <label>Roles <input name="roles" value="user" pattern="[a-z_,]{1,64}" required></label>
      </fieldset>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize ${escapeHtml(model.clientName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}dt{font-weight:600}
label{display:block;margin:.5rem 0}button{margin-right:1rem;padding:.5rem 1.2rem}</style></head>
<body><h1>Allow access to the MCP Registry Gateway?</h1>
<p><strong>${escapeHtml(model.clientName)}</strong> wants to act on your behalf.
${model.trustedClient ? 'This client is configured on this gateway.' : 'This client registered itself dynamically; your administrator has not verified it.'}</p>
<dl><dt>You will be sent back to</dt><dd>${escapeHtml(redirectHost)} <small>(${escapeHtml(model.redirectUri)})</small></dd>
<dt>Resource</dt><dd>${escapeHtml(model.resource)}</dd>
<dt>Scopes</dt><dd>${escapeHtml(model.scope || '(default)')}</dd></dl>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="request_id" value="${escapeHtml(model.requestId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(model.csrfToken)}">
${devLogin}
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>`;
}
