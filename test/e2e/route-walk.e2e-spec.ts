import type { GatewayApp } from '../../src/app/gateway-app.js';
import { startGateway } from '../support/gateway.js';

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Routes that are public on purpose: probes, metrics, API docs and OAuth discovery. Anything else needs a token. */
const PUBLIC_ROUTES = [
  /^\/health$/,
  /^\/ready$/,
  /^\/metrics$/,
  /^\/docs/,
  /^\/\.well-known\/oauth-protected-resource/,
  // The admin console's static files: they hold no data; the console calls the API with the user's bearer token.
  /^\/admin(\/|$)/,
  // The authorization server's own endpoints authenticate clients and users their own way (PKCE, client secrets).
  /^\/\.well-known\/(oauth-authorization-server|openid-configuration)$/,
  /^\/oauth\/(jwks|register|authorize|token|revoke|callback|login|logout)$/,
];

describe('every route is protected unless public on purpose', () => {
  let gateway: GatewayApp;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  function routes(): { method: string; path: string }[] {
    const express = gateway.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
    return express.router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route?.methods ?? {})
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route?.path ?? '' })),
      );
  }

  it('finds the routes it walks (a broken walk must not pass vacuously)', () => {
    const paths = routes().map((route) => `${route.method} ${route.path}`);
    expect(paths).toEqual(
      expect.arrayContaining(['POST /mcp', 'GET /api/v1/tenants', 'GET /oauth/userinfo', 'GET /health']),
    );
  });

  it('answers 401 with a challenge on every non-public route when no token is sent', async () => {
    const unprotected: string[] = [];
    for (const { method, path } of routes()) {
      if (PUBLIC_ROUTES.some((pattern) => pattern.test(path))) continue;
      const concrete = path.replace(/:[A-Za-z_]+/g, 'x').replace(/\*[A-Za-z_]+/g, 'x/y');
      const res = await fetch(new URL(concrete, gateway.url), {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
      });
      const challenged =
        res.status === 401 && (res.headers.get('www-authenticate') ?? '').startsWith('Bearer ');
      if (!challenged) unprotected.push(`${method} ${path} -> ${res.status}`);
    }
    expect(unprotected).toEqual([]);
  });

  it('keeps the public routes reachable without a token', async () => {
    for (const path of [
      '/health',
      '/ready',
      '/metrics',
      '/docs-json',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      expect([path, (await fetch(new URL(path, gateway.url))).status]).toEqual([path, 200]);
    }
  });
});
