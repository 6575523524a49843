import { canonicalJson } from '../common/canonical-json.js';
import { capabilitiesHash, toolDrift } from './capabilities.js';
import type { CapabilitySnapshot } from './registry.types.js';

const snapshot = (overrides: Partial<CapabilitySnapshot> = {}): CapabilitySnapshot => ({
  tools: [
    { name: 'b', description: 'B', inputSchema: { type: 'object' } },
    { name: 'a', description: 'A', inputSchema: { type: 'object', properties: { x: { type: 'string' } } } },
  ],
  resources: [],
  resourceTemplates: [],
  prompts: [],
  serverCapabilities: { tools: {} },
  ...overrides,
});

describe('capabilities', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('hashes ignore tool order and resource lists but see description changes', () => {
    const sut = capabilitiesHash(snapshot());
    expect(capabilitiesHash(snapshot({ tools: [...snapshot().tools].reverse() }))).toBe(sut);
    expect(capabilitiesHash(snapshot({ resources: [{ uri: 'x://1', name: 'one' }] }))).toBe(sut);
    const edited = snapshot();
    edited.tools[0].description = 'B, and also do something else';
    expect(capabilitiesHash(edited)).not.toBe(sut);
  });

  it('reports added, removed and changed tools', () => {
    const current = snapshot({
      tools: [
        { name: 'a', description: 'A changed', inputSchema: { type: 'object' } },
        { name: 'c', description: 'C', inputSchema: { type: 'object' } },
      ],
    });
    const drift = toolDrift(snapshot(), current);
    expect(drift).toEqual({ added: ['c'], removed: ['b'], changed: ['a'] });
    expect(toolDrift(snapshot(), snapshot())).toEqual({ added: [], removed: [], changed: [] });
  });

  it('sees which revision offers a tool: a tool moving between revisions is drift, an old snapshot hashes as before', () => {
    const legacyOnly = capabilitiesHash(snapshot());
    const bothEras = snapshot({ toolEras: { '2025-11-25': ['a', 'b'], '2026-07-28': ['a', 'b'] } });
    const bOnlyModern = snapshot({ toolEras: { '2025-11-25': ['a'], '2026-07-28': ['a', 'b'] } });
    expect(capabilitiesHash(snapshot({ toolEras: undefined }))).toBe(legacyOnly);
    expect(new Set([legacyOnly, capabilitiesHash(bothEras), capabilitiesHash(bOnlyModern)]).size).toBe(3);
    expect(toolDrift(bOnlyModern, bothEras)).toEqual({ added: [], removed: [], changed: ['b'] });
    expect(toolDrift(bothEras, bothEras)).toEqual({ added: [], removed: [], changed: [] });
  });
});
