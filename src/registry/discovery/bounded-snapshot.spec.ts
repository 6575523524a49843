import type { DiscoveryLimits } from '../../config/app-config.js';
import { boundedSnapshot, type DiscoveredLists } from './bounded-snapshot.js';

const limits: DiscoveryLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxItemBytes: 2048,
  maxSchemaDepth: 8,
  maxItems: 3,
  maxDescriptionLength: 20,
};
const tool = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  inputSchema: { type: 'object' as const },
  ...extra,
});
const lists = (overrides: Partial<DiscoveredLists>): DiscoveredLists => ({
  tools: [],
  resources: [],
  templates: [],
  prompts: [],
  ...overrides,
});

describe('boundedSnapshot', () => {
  it('keeps the served fields and cuts descriptions to the configured length', () => {
    const snapshot = boundedSnapshot(
      lists({ tools: [tool('echo', { description: 'x'.repeat(50), _meta: { ignored: true } })] }),
      { tools: {} },
      limits,
    );
    expect(snapshot.tools).toEqual([
      { name: 'echo', description: 'x'.repeat(20), inputSchema: { type: 'object' } },
    ]);
  });

  it('refuses more tools or prompts than allowed, naming the setting', () => {
    const four = ['a', 'b', 'c', 'd'];
    expect(() => boundedSnapshot(lists({ tools: four.map((n) => tool(n)) }), {}, limits)).toThrow(
      'The upstream lists 4 tools, more than 3 (the bound is MREG_DISCOVERY_MAX_ITEMS)',
    );
    expect(() => boundedSnapshot(lists({ prompts: four.map((name) => ({ name })) }), {}, limits)).toThrow(
      'MREG_DISCOVERY_MAX_ITEMS',
    );
  });

  it('keeps only the first entries of a resource list that follows the data', () => {
    const resources = ['1', '2', '3', '4', '5'].map((n) => ({ uri: `file:///${n}`, name: n }));
    expect(boundedSnapshot(lists({ resources }), {}, limits).resources).toHaveLength(3);
  });

  it('refuses a definition larger than the per-item bound', () => {
    const big = tool('big', {
      inputSchema: { type: 'object', properties: { a: { enum: ['y'.repeat(4000)] } } },
    });
    expect(() => boundedSnapshot(lists({ tools: [big] }), {}, limits)).toThrow(
      /The definition of tool "big" is \d+ bytes, more than 2048 \(the bound is MREG_DISCOVERY_MAX_ITEM_BYTES\)/,
    );
  });

  it('refuses schemas, annotations and server capabilities nested too deep', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 10; level++) deep = { type: 'object', properties: { x: deep } };
    expect(() =>
      boundedSnapshot(lists({ tools: [tool('deep', { inputSchema: deep })] }), {}, limits),
    ).toThrow('MREG_DISCOVERY_MAX_SCHEMA_DEPTH');
    expect(() => boundedSnapshot(lists({}), { experimental: deep }, limits)).toThrow(
      'MREG_DISCOVERY_MAX_SCHEMA_DEPTH',
    );
  });

  it('refuses names, titles and URIs beyond their fixed bounds', () => {
    expect(() => boundedSnapshot(lists({ tools: [tool('n'.repeat(257))] }), {}, limits)).toThrow(
      'The tool name is longer than 256 characters',
    );
    expect(() =>
      boundedSnapshot(lists({ tools: [tool('t', { title: 't'.repeat(1025) })] }), {}, limits),
    ).toThrow('longer than 1024');
    const resources = [{ uri: `file:///${'u'.repeat(5000)}`, name: 'u' }];
    expect(() => boundedSnapshot(lists({ resources }), {}, { ...limits, maxItemBytes: 65536 })).toThrow(
      'longer than 4096',
    );
  });

  it('records the tools offered only to clients declaring capabilities, when that was found out', () => {
    const tools = [tool('echo'), tool('trigger-sampling'), tool('roots')];
    const found = boundedSnapshot(lists({ tools, plainToolNames: new Set(['echo']) }), {}, limits);
    expect(found.clientCapabilityTools).toEqual(['roots', 'trigger-sampling']);
    expect(boundedSnapshot(lists({ tools }), {}, limits)).not.toHaveProperty('clientCapabilityTools');
    const allPlain = new Set(['echo', 'trigger-sampling', 'roots']);
    expect(boundedSnapshot(lists({ tools, plainToolNames: allPlain }), {}, limits)).not.toHaveProperty(
      'clientCapabilityTools',
    );
  });

  it('keeps every tool either revision offers once, the 2025 definition first, and which revision offers which', () => {
    const found = boundedSnapshot(
      lists({
        tools: [tool('echo', { description: 'old' })],
        modernTools: [tool('echo', { description: 'new' }), tool('forecast')],
      }),
      {},
      limits,
    );
    expect(found.tools.map((t) => [t.name, t.description])).toEqual([
      ['echo', 'old'],
      ['forecast', undefined],
    ]);
    expect(found.toolEras).toEqual({ '2025-11-25': ['echo'], '2026-07-28': ['echo', 'forecast'] });
    expect(boundedSnapshot(lists({ tools: [tool('echo')] }), {}, limits)).not.toHaveProperty('toolEras');
    // The bound counts the union: three per revision can be four in all.
    const three = ['a', 'b', 'c'];
    expect(() =>
      boundedSnapshot(
        lists({ tools: three.map((n) => tool(n)), modernTools: [...three, 'd'].map((n) => tool(n)) }),
        {},
        limits,
      ),
    ).toThrow('The upstream lists 4 tools');
  });
});
