import type { Principal } from '../common/principal.js';
import type { CapabilitySnapshot, DiscoveredTool, RegisteredServer } from '../registry/registry.types.js';
import { gunzipSync } from 'node:zlib';
import { ToolPolicy } from '../registry/tool-policy.js';
import { ApprovedToolLists, type ListAnswer } from './approved-tool-list.js';

const user = { roles: ['user'] } as unknown as Principal;
const admin = { roles: ['admin', 'server_owner', 'user'] } as unknown as Principal;
const tool = (name: string, description = `approved ${name}`): DiscoveredTool => ({
  name,
  description,
  inputSchema: { type: 'object' },
});
const snapshot = (tools: DiscoveredTool[], extra: Partial<CapabilitySnapshot> = {}): CapabilitySnapshot => ({
  tools,
  resources: [],
  resourceTemplates: [],
  prompts: [],
  serverCapabilities: {},
  ...extra,
});
const serverWith = (fields: Partial<RegisteredServer>) =>
  ({
    toolRoles: {},
    serverInfo: { name: 'upstream', version: '1.0.0' },
    approvedCapabilities: snapshot([tool('read'), tool('drop'), tool('gone')]),
    // The last check: `gone` is no longer offered, `new` waits for approval, `read` changed its description.
    capabilities: snapshot([tool('read', 'changed since'), tool('drop'), tool('new')]),
    ...fields,
  }) as unknown as RegisteredServer;
const list = (id: number | string = 1, params?: Record<string, unknown>) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/list',
  ...(params ? { params } : {}),
});
const textOf = (answer: ListAnswer | undefined) =>
  (answer!.gzip ? gunzipSync(answer!.body) : answer!.body).toString();
const toolsOf = (answer: ListAnswer | undefined) =>
  (JSON.parse(textOf(answer)) as { result: { tools: DiscoveredTool[] } }).result.tools;

describe('tools/list answered from the registry', () => {
  const sut = new ApprovedToolLists();

  it('lists the approved definitions still offered, as approved, and nothing unapproved', () => {
    const answer = sut.answer(serverWith({}), user, list(7), '2025-11-25');
    expect(JSON.parse(textOf(answer))).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: { tools: [tool('read'), tool('drop')] },
    });
  });

  it('leaves out tools whose role rule the caller does not meet', () => {
    const server = serverWith({ toolRoles: { drop: ['admin'] } });
    expect(toolsOf(sut.answer(server, user, list(), '2025-11-25')).map((t) => t.name)).toEqual(['read']);
    expect(toolsOf(sut.answer(server, admin, list(), '2025-11-25')).map((t) => t.name)).toEqual([
      'read',
      'drop',
    ]);
  });

  it("lists each revision's own tools, and stamps 2026-07-28 results as that revision requires", () => {
    const eras = { '2025-11-25': ['read'], '2026-07-28': ['read', 'modern'] };
    const both = snapshot([tool('read'), tool('modern')], { toolEras: eras });
    const server = serverWith({ approvedCapabilities: both, capabilities: both });
    expect(toolsOf(sut.answer(server, user, list(), '2025-11-25')).map((t) => t.name)).toEqual(['read']);
    expect(toolsOf(sut.answer(server, user, list(), undefined)).map((t) => t.name)).toEqual(['read']);
    const modern = JSON.parse(textOf(sut.answer(server, user, list('a'), '2026-07-28'))) as {
      result: unknown;
    };
    expect(modern.result).toEqual({
      tools: [tool('read'), tool('modern')],
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'upstream', version: '1.0.0' } },
    });
  });

  it('leaves to the upstream what only it can answer', () => {
    const server = serverWith({});
    // A later page, an unknown revision (the upstream refuses it), a notification, another method.
    expect(sut.answer(server, user, list(1, { cursor: 'page-2' }), '2025-11-25')).toBeUndefined();
    expect(sut.answer(server, user, list(), '1999-01-01')).toBeUndefined();
    expect(sut.answer(server, user, { jsonrpc: '2.0', method: 'tools/list' }, undefined)).toBeUndefined();
    expect(sut.answer(server, user, { ...list(), method: 'prompts/list' }, undefined)).toBeUndefined();
    // Never discovered, or lists depend on the client's own capabilities.
    expect(sut.answer(serverWith({ approvedCapabilities: null }), user, list(), undefined)).toBeUndefined();
    const gated = snapshot([tool('read')], { clientCapabilityTools: ['sample'] });
    expect(sut.answer(serverWith({ capabilities: gated }), user, list(), undefined)).toBeUndefined();
  });

  it('serialises a list once per registry state, revision and role set, and anew when the server changes', () => {
    const listed = jest.spyOn(ToolPolicy.prototype, 'listedTools');
    try {
      const server = serverWith({});
      const first = textOf(sut.answer(server, user, list(1), '2025-11-25'));
      expect(textOf(sut.answer(server, user, list(2), '2025-11-25'))).toBe(first.replace('"id":1', '"id":2'));
      expect(listed).toHaveBeenCalledTimes(1);
      sut.answer(server, admin, list(3), '2025-11-25');
      sut.answer(server, user, list(4), '2026-07-28');
      expect(listed).toHaveBeenCalledTimes(3);
      // The registry replaces a changed server by a new object: its list follows the new approval.
      const approved = serverWith({ approvedCapabilities: snapshot([tool('read', 'approved again')]) });
      expect(toolsOf(sut.answer(approved, user, list(), '2025-11-25'))).toEqual([
        tool('read', 'approved again'),
      ]);
      expect(listed).toHaveBeenCalledTimes(4);
    } finally {
      listed.mockRestore();
    }
  });

  it('gzips a large list for clients that accept it, as one gzip member each answer completes with its id', () => {
    const many = snapshot(Array.from({ length: 200 }, (_, i) => tool(`tool_${i}`)));
    const server = serverWith({ approvedCapabilities: many, capabilities: many });
    const plain = sut.answer(server, user, list(1), '2025-11-25')!;
    for (const id of [1, 'a-string-id', 2 ** 40]) {
      const zipped = sut.answer(server, user, list(id), '2025-11-25', 'gzip, deflate')!;
      expect(zipped.gzip).toBe(true);
      expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
      expect(gunzipSync(zipped.body).toString()).toBe(
        plain.body.toString().replace('"id":1}', `"id":${JSON.stringify(id)}}`),
      );
    }
    // A small list goes plain whatever the client accepts.
    expect(sut.answer(serverWith({}), user, list(), '2025-11-25', 'gzip')?.gzip).toBe(false);
    // A large one goes plain to a client that does not take gzip.
    expect(sut.answer(server, user, list(), '2025-11-25', 'br, gzip;q=0')?.gzip).toBe(false);
  });
});
