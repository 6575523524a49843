import { json } from '../support/http.js';
import type { Client } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { call, connectMcpClient, localToken, startGateway } from '../support/gateway.js';

describe('gateway over HTTP (real PostgreSQL)', () => {
  let gateway: GatewayApp;
  let mcp: Client;
  let token: string;

  beforeAll(async () => {
    gateway = await startGateway({ MREG_BODY_LIMIT: '64kb' });
    token = await localToken(gateway);
    mcp = await connectMcpClient(gateway, token);
  });

  afterAll(async () => {
    await mcp?.close();
    await gateway?.stop();
  });

  const get = (path: string, init?: RequestInit) => call(gateway, path, token, init);

  it('answers liveness without I/O', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      status: 'ok',
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
  });

  it('is ready when the database answers and migrations are applied', async () => {
    const res = await get('/ready');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('ok');
    expect(body.details).toMatchObject({
      database: { status: 'up', kind: 'postgres' },
      migrations: { status: 'up' },
      lifecycle: { status: 'up' },
    });
  });

  it('exposes Prometheus metrics with process metrics and an HTTP histogram by route template', async () => {
    await get('/health');
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('mcp_gateway_process_cpu_user_seconds_total');
    expect(text).toContain('mcp_gateway_nodejs_heap_size_used_bytes');
    expect(text).toMatch(/mcp_gateway_http_request_duration_seconds_bucket\{[^}]*route="\/health"[^}]*\}/);
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await get('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const doc = await get('/docs-json');
    expect(doc.status).toBe(200);
    const openapi = await json(doc);
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
  });

  it('answers unknown routes with the common error body and echoes the correlation id', async () => {
    const res = await get('/api/v1/nothing-here', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(await json(res)).toEqual({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: expect.any(String),
      correlationId: 'trace-123',
    });
  });

  it('replaces a correlation id that is not a plain token', async () => {
    const res = await get('/health', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  /** The common error fields: the REST body itself, or `error.data` of the JSON-RPC error an MCP route answers. */
  const errorFields = (path: string, body: any): Record<string, unknown> => {
    if (path !== '/mcp') return body;
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    return body.error.data;
  };

  it.each([
    ['/mcp', 'application/json'],
    ['/api/v1/servers', 'application/json'],
    ['/api/v1/servers', 'text/plain'],
  ])('refuses a body over the limit on %s (%s) with 413 and the common fields', async (path, type) => {
    const res = await get(path, {
      method: 'POST',
      headers: { 'content-type': type },
      body: JSON.stringify({ padding: 'x'.repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(errorFields(path, await json(res))).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      correlationId: expect.any(String),
    });
  });

  it.each(['/mcp', '/api/v1/servers'])(
    'refuses a body nested deeper than 64 levels on %s with 400 BODY_TOO_DEEP, not a stack overflow',
    async (path) => {
      const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
      const res = await get(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: deep,
      });
      expect(res.status).toBe(400);
      expect(errorFields(path, await json(res))).toMatchObject({ statusCode: 400, code: 'BODY_TOO_DEEP' });
    },
  );

  it('refuses malformed JSON with 400 MALFORMED_JSON and no stack trace', async () => {
    const res = await get('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":',
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(errorFields('/mcp', body)).toMatchObject({ code: 'MALFORMED_JSON' });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('lets the MCP SDK client list the gateway tools with their output schema', async () => {
    const { tools } = await mcp.listTools();
    const info = tools.find((tool) => tool.name === 'gateway_info');
    expect(info).toBeDefined();
    expect(info?.outputSchema).toMatchObject({
      type: 'object',
      properties: expect.objectContaining({ version: expect.anything() }),
    });
    expect(info?.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('calls gateway_info and gets structured content', async () => {
    const result = await mcp.callTool({ name: 'gateway_info', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      name: 'mcp-registry-gateway',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: { kind: 'postgres' },
      auth: { mode: 'local' },
    });
  });
});
