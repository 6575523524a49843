import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';
import type { CapabilitySnapshot, DiscoveredTool } from './registry.types.js';

/**
 * The hash that decides drift: tools and prompts (what a model is told and may invoke), sorted by name. Resource
 * lists are left out on purpose: many servers list resources that change with their data, not their interface.
 */
export function capabilitiesHash(snapshot: CapabilitySnapshot): string {
  const byName = <T extends { name: string }>(items: T[]) =>
    [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const material = { tools: byName(snapshot.tools), prompts: byName(snapshot.prompts) };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

export interface ToolDrift {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Which tools differ between the approved snapshot and the current one. */
export function toolDrift(
  approved: CapabilitySnapshot | null,
  current: CapabilitySnapshot | null,
): ToolDrift {
  const index = (tools: DiscoveredTool[] | undefined) =>
    new Map((tools ?? []).map((t) => [t.name, canonicalJson(t)]));
  const before = index(approved?.tools);
  const after = index(current?.tools);
  return {
    added: [...after.keys()].filter((name) => !before.has(name)).sort(),
    removed: [...before.keys()].filter((name) => !after.has(name)).sort(),
    changed: [...after.entries()]
      .filter(([name, json]) => before.has(name) && before.get(name) !== json)
      .map(([name]) => name)
      .sort(),
  };
}
