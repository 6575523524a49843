import type { Response } from 'express';
import { setPageSecurityHeaders } from './consent-page.js';

function cspFor(targets?: string[]): string {
  const headers = new Map<string, string>();
  setPageSecurityHeaders(
    { setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as Response,
    targets,
  );
  return headers.get('Content-Security-Policy') ?? '';
}

describe('setPageSecurityHeaders', () => {
  it('lets forms submit only to the gateway', () => {
    expect(cspFor()).toContain("form-action 'self'");
    expect(cspFor()).toContain("frame-ancestors 'none'");
  });

  it("adds where the form's answer redirects on to: an origin, or an app's scheme, never a path or junk", () => {
    const csp = cspFor([
      'http://127.0.0.1:33418/callback?x=1',
      'https://login.microsoftonline.com',
      'vscode://vscode.github-authentication/did-authenticate',
      '/docs',
      'not a url',
    ]);
    expect(csp).toMatch(
      /form-action 'self' http:\/\/127\.0\.0\.1:33418 https:\/\/login\.microsoftonline\.com vscode:$/,
    );
  });
});
