import type { GatewayApp } from '../../src/app/gateway-app.js';
import { startGateway } from '../support/gateway.js';

/** With MREG_METRICS_TOKEN set, /metrics (whose labels name tenants, servers and tools) answers only Prometheus. */
describe('/metrics with a scrape token (e2e)', () => {
  const token = 'scrape-token-0123456789abcdef';
  let gateway: GatewayApp;

  beforeAll(async () => {
    gateway = await startGateway({ MREG_METRICS_TOKEN: token });
  });
  afterAll(() => gateway?.stop());

  const scrape = (authorization?: string) =>
    fetch(`${gateway.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('refuses a scrape without the token or with another one, and serves one bearing it', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcde', `Basic ${token}`]) {
      const refused = await scrape(authorization);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await refused.text()).not.toContain('mcp_gateway_');
    }
    const served = await scrape(`Bearer ${token}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('mcp_gateway_http_request_duration_seconds');
    // Probes stay open: kubelet presents no token.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });
});
