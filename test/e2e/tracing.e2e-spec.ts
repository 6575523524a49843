import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { postJsonRpc, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';

/** OpenTelemetry: a proxied call continues the client's trace through the gateway to the upstream. */
describe('tracing (e2e)', () => {
  const exporter = new InMemorySpanExporter();
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;

  beforeAll(async () => {
    // What OTEL_TRACES_EXPORTER would install, with an in-memory exporter this test can read.
    trace.setGlobalTracerProvider(
      new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
    trace.disable();
  });

  it('records one trace from the caller through the gateway to the upstream, and passes it on', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'traced',
      url: fixture.url,
    });
    const resource = `${gateway.url}/servers/${created.body.server.id as string}/mcp`;
    const token = await localToken(gateway, { tenant, resource });
    exporter.reset();
    fixture.headers.length = 0;

    const response = await postJsonRpc(
      resource,
      token,
      'tools/call',
      { name: 'echo', arguments: { text: 't' } },
      {
        headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01` },
      },
    );
    expect(response.status).toBe(200);
    await response.text();

    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.name === 'mcp.proxy');
    const upstream = spans.find((span) => span.name === 'mcp.upstream');
    expect(server?.spanContext().traceId).toBe(TRACE_ID);
    expect(server?.parentSpanContext?.spanId).toBe(CLIENT_SPAN_ID);
    expect(upstream?.spanContext().traceId).toBe(TRACE_ID);
    expect(upstream?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(upstream?.attributes).toMatchObject({
      'mcp.server.name': 'traced',
      'http.response.status_code': 200,
    });

    // The upstream sees the same trace, its parent being the gateway's upstream span.
    const sent = fixture.headers.at(-1)?.traceparent;
    expect(sent).toBe(`00-${TRACE_ID}-${upstream?.spanContext().spanId}-01`);
  });
});
