import type { Request } from 'express';
import { canonicalUrl, isMcpEndpoint, ResourceUrls } from './resource-urls.js';

const request = (path: string, host = 'gw.example:8443', protocol = 'https') =>
  ({ path, protocol, get: (name: string) => (name === 'host' ? host : undefined) }) as unknown as Request;

describe('ResourceUrls', () => {
  it('derives base, resource and metadata URLs from the URL the client used', () => {
    const sut = new ResourceUrls();
    const req = request('/servers/42/mcp');
    expect(sut.baseUrl(req)).toBe('https://gw.example:8443');
    expect(sut.resourceUrl(req)).toBe('https://gw.example:8443/servers/42/mcp');
    expect(sut.metadataUrl(req)).toBe(
      'https://gw.example:8443/.well-known/oauth-protected-resource/servers/42/mcp',
    );
  });

  it('treats REST routes as the gateway itself', () => {
    const sut = new ResourceUrls();
    expect(sut.resourceUrl(request('/api/v1/tenants'))).toBe('https://gw.example:8443');
    expect(sut.metadataUrl(request('/api/v1/tenants'))).toBe(
      'https://gw.example:8443/.well-known/oauth-protected-resource',
    );
  });

  it('prefers the configured public URL behind a proxy', () => {
    const sut = new ResourceUrls('https://mcp.contoso.com');
    expect(sut.resourceUrl(request('/mcp', 'internal:8000', 'http'))).toBe('https://mcp.contoso.com/mcp');
  });

  it('never echoes a malformed Host header into URLs or challenges', () => {
    const sut = new ResourceUrls();
    expect(sut.baseUrl(request('/mcp', 'evil", error="x'))).toBe('https://localhost');
  });

  it('accepts on an MCP endpoint only a token for exactly that endpoint, on REST only one for the gateway', () => {
    const sut = new ResourceUrls();
    expect(sut.acceptedAudiences(request('/mcp'))).toEqual(['https://gw.example:8443/mcp']);
    expect(sut.acceptedAudiences(request('/servers/a/mcp/'))).toEqual([
      'https://gw.example:8443/servers/a/mcp',
    ]);
    expect(sut.acceptedAudiences(request('/api/v1/tenants'))).toEqual(['https://gw.example:8443']);
  });
});

describe('canonicalUrl', () => {
  it.each([
    ['HTTP://LOCALHOST:8000/mcp/', 'http://localhost:8000/mcp'],
    ['http://127.0.0.1:8000', 'http://localhost:8000'],
    ['http://[::1]:8000/mcp', 'http://localhost:8000/mcp'],
    ['https://Gw.Example/Servers/A/mcp', 'https://gw.example/Servers/A/mcp'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('recognises exactly the MCP endpoints, never a REST route that ends in /mcp', () => {
    const paths = ['/mcp', '/servers/1/mcp', '/federated/mcp', '/MCP', '/Mcp/', '/api/v1/mcpx'];
    expect(paths.map(isMcpEndpoint)).toEqual([true, true, true, true, true, false]);
    const rest = ['/api/v1/servers/mcp', '/api/v1/mcp', '/servers/1/2/mcp', '/x/mcp', '/servers//mcp'];
    expect(rest.map(isMcpEndpoint)).toEqual([false, false, false, false, false]);
  });
});
