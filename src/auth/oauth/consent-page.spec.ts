import type { Response } from 'express';
import { renderConsentPage, setPageSecurityHeaders } from './consent-page.js';

function headersFor(targets?: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  setPageSecurityHeaders(
    { setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as Response,
    targets,
  );
  return headers;
}
const cspFor = (targets?: string[]) => headersFor(targets).get('Content-Security-Policy') ?? '';

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

  it("keeps the page's address from other sites, yet lets its form POST carry the gateway's Origin", () => {
    // Under no-referrer, Chromium posts the consent form with `Origin: null`, which the Origin guard refuses.
    expect(headersFor().get('Referrer-Policy')).toBe('same-origin');
  });
});

describe('renderConsentPage', () => {
  const model = {
    requestId: 'r',
    csrfToken: 'c',
    clientName: 'Some <client>',
    redirectUri: 'http://127.0.0.1:1/cb',
    resource: 'http://127.0.0.1:2',
    scope: '',
    devLogin: false,
  };

  it('warns that a self-registered client is unverified, but not for a configured or built-in one', () => {
    expect(renderConsentPage(model)).toContain('your administrator has not verified it');
    const trusted = renderConsentPage({ ...model, trustedClient: true });
    expect(trusted).toContain('This client is configured on this gateway.');
    expect(trusted).not.toContain('not verified');
    expect(trusted).toContain('Some &lt;client&gt;');
  });
});
