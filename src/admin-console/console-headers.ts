import type { Response } from 'express';

/**
 * The console's Content-Security-Policy: scripts and styles only from the gateway's own files (Vite emits no inline
 * script, and Bootstrap's CSS is a file), API calls only to the gateway, no framing, no plugins, no base
 * rewriting. `img-src data:` is for the small SVG icons Bootstrap's CSS embeds (select arrows, validation marks).
 * No inline style either: the console sets no `style` attribute, so `style-src` needs no 'unsafe-inline'.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers on every console response, the files and the fallback document alike. */
export function setConsoleSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  // The callback URL carries the authorization code: it must never leave in a Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
}
