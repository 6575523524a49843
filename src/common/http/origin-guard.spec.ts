import type { Request, Response } from 'express';
import { type OriginPolicy, originGuard } from './origin-guard.js';

const LOCAL: OriginPolicy = { allowedOrigins: [], localMode: true, bindHost: '127.0.0.1' };
const ENTRA: OriginPolicy = { allowedOrigins: [], localMode: false, bindHost: '0.0.0.0' };
const PUBLIC: OriginPolicy = {
  allowedOrigins: ['https://portal.example.com'],
  publicUrl: 'https://mcp.example.com',
  localMode: false,
  bindHost: '0.0.0.0',
};

/** What the guard passes to `next`: undefined when the request goes on, else the refusal's code. */
function verdict(policy: OriginPolicy, path: string, headers: Record<string, string>): string | undefined {
  let passed: unknown = 'not called';
  originGuard(policy)({ path, headers } as Request, {} as Response, (error?: unknown) => (passed = error));
  return passed === undefined ? undefined : (passed as { code: string }).code;
}

describe('originGuard', () => {
  it('refuses a hostile Origin on every MCP endpoint and OAuth page, and lets requests without one through', () => {
    for (const path of ['/mcp', '/federated/mcp', '/servers/abc/mcp', '/oauth/authorize', '/oauth/login']) {
      expect(verdict(LOCAL, path, { host: '127.0.0.1:8000', origin: 'http://evil.example.com' })).toBe(
        'ORIGIN_NOT_ALLOWED',
      );
      expect(verdict(LOCAL, path, { host: '127.0.0.1:8000' })).toBeUndefined();
    }
    // REST and probes are not its business (the API takes bearer tokens; probes come from the platform).
    expect(
      verdict(LOCAL, '/api/v1/servers', { host: 'x', origin: 'http://evil.example.com' }),
    ).toBeUndefined();
  });

  it('in local mode allows loopback origins and serves only loopback host names (DNS rebinding)', () => {
    expect(
      verdict(LOCAL, '/mcp', { host: 'localhost:8000', origin: 'http://localhost:6274' }),
    ).toBeUndefined();
    expect(verdict(LOCAL, '/mcp', { host: '127.0.0.1:8000', origin: 'http://[::1]:3000' })).toBeUndefined();
    // A rebinding page names the gateway by the attacker's host, with or without an Origin.
    expect(verdict(LOCAL, '/oauth/login', { host: 'rebind.evil.example:8000' })).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('with a public URL allows its origin and the listed ones, addressed to the public host', () => {
    expect(
      verdict(PUBLIC, '/mcp', { host: 'mcp.example.com', origin: 'https://mcp.example.com' }),
    ).toBeUndefined();
    expect(
      verdict(PUBLIC, '/mcp', { host: 'mcp.example.com', origin: 'https://portal.example.com' }),
    ).toBeUndefined();
    expect(verdict(PUBLIC, '/mcp', { host: 'other.example.com', origin: 'https://mcp.example.com' })).toBe(
      'ORIGIN_NOT_ALLOWED',
    );
    expect(verdict(PUBLIC, '/mcp', { host: 'mcp.example.com', origin: 'http://localhost:6274' })).toBe(
      'ORIGIN_NOT_ALLOWED',
    );
    // Machine clients inside the cluster may use the service's own name.
    expect(verdict(PUBLIC, '/mcp', { host: 'mcp-gateway.svc:8000' })).toBeUndefined();
  });

  it('in Entra mode without a public URL allows only the origin the request itself names', () => {
    expect(
      verdict(ENTRA, '/oauth/authorize', { host: 'gw.corp:8000', origin: 'http://gw.corp:8000' }),
    ).toBeUndefined();
    expect(verdict(ENTRA, '/oauth/authorize', { host: 'gw.corp:8000', origin: 'http://evil.corp' })).toBe(
      'ORIGIN_NOT_ALLOWED',
    );
    expect(verdict(ENTRA, '/mcp', { host: 'gw.corp', origin: 'null' })).toBe('ORIGIN_NOT_ALLOWED');
  });
});
