import type { Request } from 'express';

export const SESSION_TTL_SECONDS = 8 * 3600;

export interface CookieSpec {
  name: string;
  secure: boolean;
  path: string;
}

/**
 * Names and attributes of the gateway's cookies: the browser session of `/oauth/login` and the browser binding of an
 * authorization in progress. Over https they take the `__Host-` prefix (Secure, Path=/, no Domain), so a sibling
 * subdomain cannot plant or shadow them; plain http is for local development only.
 */
export function cookieSpec(baseUrl: string, kind: 'session' | 'authz'): CookieSpec {
  const secure = baseUrl.startsWith('https:');
  return {
    name: secure ? `__Host-mreg_${kind}` : `mreg_${kind}`,
    secure,
    path: secure || kind === 'session' ? '/' : '/oauth',
  };
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
