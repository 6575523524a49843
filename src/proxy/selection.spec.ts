import type { ServerEndpoint } from '../registry/registry.types.js';
import { createSelectionPolicy } from './selection.js';

const endpoints: ServerEndpoint[] = [
  { url: 'http://a/mcp', weight: 1 },
  { url: 'http://b/mcp', weight: 3 },
  { url: 'http://c/mcp', weight: 1 },
];
const idle = { affinityKey: 'k', active: () => 0 };

describe('selection policies', () => {
  it('round robin cycles through the endpoints', () => {
    const sut = createSelectionPolicy('round_robin');
    expect([1, 2, 3, 4].map(() => sut.select(endpoints, idle).url)).toEqual([
      'http://a/mcp',
      'http://b/mcp',
      'http://c/mcp',
      'http://a/mcp',
    ]);
  });

  it('least connections picks the endpoint with the fewest requests in flight', () => {
    const sut = createSelectionPolicy('least_connections');
    const active = (url: string) => ({ 'http://a/mcp': 4, 'http://b/mcp': 1, 'http://c/mcp': 2 })[url] ?? 0;
    expect(sut.select(endpoints, { affinityKey: 'k', active }).url).toBe('http://b/mcp');
  });

  it('least connections takes turns among endpoints equally busy', () => {
    const sut = createSelectionPolicy('least_connections');
    const active = (url: string) => (url === 'http://c/mcp' ? 1 : 0);
    const picks = [1, 2, 3, 4].map(() => sut.select(endpoints, { affinityKey: 'k', active }).url);
    expect(picks).toEqual(['http://a/mcp', 'http://b/mcp', 'http://a/mcp', 'http://b/mcp']);
  });

  it('weighted picks in proportion to weight', () => {
    const draws = [0.1, 0.3, 0.7, 0.9];
    let i = 0;
    const sut = createSelectionPolicy('weighted', () => draws[i++]);
    // Total weight 5: [0,1) a, [1,4) b, [4,5) c.
    expect(draws.map(() => sut.select(endpoints, idle).url)).toEqual([
      'http://a/mcp',
      'http://b/mcp',
      'http://b/mcp',
      'http://c/mcp',
    ]);
  });

  it('random picks uniformly from the draw', () => {
    const sut = createSelectionPolicy('random', () => 0.99);
    expect(sut.select(endpoints, idle).url).toBe('http://c/mcp');
  });

  it('consistent hash keeps a key on one endpoint and moves only its keys when one goes', () => {
    const sut = createSelectionPolicy('consistent_hash');
    const keys = Array.from({ length: 200 }, (_, n) => `session-${n}`);
    const before = keys.map((key) => sut.select(endpoints, { affinityKey: key, active: () => 0 }).url);
    expect(keys.map((key) => sut.select(endpoints, { affinityKey: key, active: () => 0 }).url)).toEqual(
      before,
    );
    const remaining = endpoints.filter((endpoint) => endpoint.url !== 'http://b/mcp');
    const after = keys.map((key) => sut.select(remaining, { affinityKey: key, active: () => 0 }).url);
    keys.forEach((_, n) => {
      if (before[n] !== 'http://b/mcp') expect(after[n]).toBe(before[n]);
    });
    expect(new Set(before).size).toBe(3);
  });
});
