import type { GatewayApp } from '../../src/app/gateway-app.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { postJsonRpc, startRegistryGateway } from '../support/registry.js';

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const NUL = 'ev\u0000';

/**
 * NUL (and unpaired surrogates) in any id, name, query, filter or body string answers 400 INVALID_TEXT with the
 * common error body, on every REST operation of the OpenAPI document and every gateway MCP tool, instead of
 * reaching PostgreSQL (which refuses byte 0x00) and surfacing as a 500.
 */
describe('invalid text in any string parameter (e2e)', () => {
  let gateway: GatewayApp;
  let token: string;
  let api: OpenApi;

  beforeAll(async () => {
    gateway = await startRegistryGateway();
    token = await localToken(gateway, { tenant: 'text', roles: ['admin'] });
    api = (await (await fetch(`${gateway.url}/docs-json`)).json()) as OpenApi;
  });
  afterAll(() => gateway?.stop());

  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? api.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;

  /** Every string parameter of every operation, as one request each with that parameter set to invalid text. */
  function probes(): { label: string; method: string; url: string; body?: string }[] {
    const found: { label: string; method: string; url: string; body?: string }[] = [];
    for (const [template, operations] of Object.entries(api.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const params = operation.parameters ?? [];
        const pathOf = (bad?: string) =>
          template.replace(/\{(\w+)\}/g, (_all, name: string) =>
            encodeURIComponent(name === bad ? NUL : 'x'),
          );
        const verb = method.toUpperCase();
        for (const param of params) {
          if (param.in === 'path')
            found.push({
              label: `${verb} ${template} {${param.name}}`,
              method: verb,
              url: pathOf(param.name),
            });
          if (param.in === 'query') {
            const url = `${pathOf()}?${param.name}=${encodeURIComponent(NUL)}`;
            found.push({ label: `${verb} ${template} ?${param.name}`, method: verb, url });
          }
        }
        const schema = resolve(operation.requestBody?.content?.['application/json']?.schema);
        for (const [name, property] of Object.entries(schema?.properties ?? {})) {
          if (resolve(property)?.type !== 'string') continue;
          found.push({
            label: `${verb} ${template} body.${name}`,
            method: verb,
            url: pathOf(),
            body: JSON.stringify({ [name]: NUL }),
          });
        }
      }
    }
    return found;
  }

  it('answers 400 INVALID_TEXT for every REST path, query and body string parameter', async () => {
    const all = probes();
    // The walk must not pass vacuously: the parameters of the report are among those walked.
    expect(all.map((probe) => probe.label)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/servers/{id} {id}',
        'GET /api/v1/servers ?q',
        'GET /v0.1/servers/{name}/versions/latest {name}',
        'GET /api/v1/audit ?actor',
        'POST /api/v1/servers body.name',
      ]),
    );
    const wrong: string[] = [];
    for (const probe of all) {
      const res = await fetch(new URL(probe.url, gateway.url), {
        method: probe.method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: probe.body,
      });
      const body = (await res.json().catch(() => ({}))) as { code?: string; correlationId?: string };
      if (res.status !== 400 || body.code !== 'INVALID_TEXT' || !body.correlationId)
        wrong.push(`${probe.label} -> ${res.status} ${body.code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 400 INVALID_TEXT for every string argument of every gateway MCP tool, and an unpaired surrogate too', async () => {
    const client = await connectMcpClient(gateway, token);
    const { tools } = await client.listTools();
    await client.close();
    const wrong: string[] = [];
    let walked = 0;
    for (const tool of tools) {
      for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
        if ((property as Schema).type !== 'string') continue;
        walked++;
        const res = await postJsonRpc(`${gateway.url}/mcp`, token, 'tools/call', {
          name: tool.name,
          arguments: { [name]: walked % 2 ? NUL : 'ev\ud800' },
        });
        // /mcp answers in JSON-RPC: the stable code is in error.data, for the request's id.
        const body = (await res.json().catch(() => ({}))) as {
          id?: unknown;
          error?: { data?: { code?: string } };
        };
        if (res.status !== 400 || body.error?.data?.code !== 'INVALID_TEXT' || body.id !== 1)
          wrong.push(`${tool.name}.${name} -> ${res.status}`);
      }
    }
    expect(walked).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });
});
