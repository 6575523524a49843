import type { Request } from 'express';

/** The browser session of `/oauth/login`: a gateway token for the whole gateway in an HttpOnly, SameSite=Strict cookie. */
export const SESSION_COOKIE = 'mreg_session';
export const SESSION_TTL_SECONDS = 8 * 3600;

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
