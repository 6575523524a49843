import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';
import type { CapabilitySnapshot } from './registry.types.js';

/**
 * The hash that decides drift: tools and prompts (what a model is told and may invoke), sorted by name. Resource
 * lists are left out on purpose: many servers list resources that change with their data, not their interface.
 */
export function capabilitiesHash(snapshot: CapabilitySnapshot): string {
  const byName = <T extends { name: string }>(items: T[]) =>
    [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Which revision offers a tool is part of what is approved; absent for 2025-only servers, so their hashes (and
  // approvals) stay what they were before the gateway asked for the 2026 revision.
  const material = {
    tools: byName(snapshot.tools),
    prompts: byName(snapshot.prompts),
    ...(snapshot.toolEras ? { toolEras: snapshot.toolEras } : {}),
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/** The revisions that offer a tool, or undefined for a 2025-only snapshot (all of its tools are 2025 tools). */
export function erasOf(snapshot: CapabilitySnapshot | null, tool: string): string[] | undefined {
  const eras = snapshot?.toolEras;
  if (!eras) return undefined;
  return Object.entries(eras)
    .filter(([, names]) => names.includes(tool))
    .map(([era]) => era)
    .sort();
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
  // A tool that moved between revisions (say, now offered to 2025 clients too) has changed as well.
  const index = (snapshot: CapabilitySnapshot | null) =>
    new Map(
      (snapshot?.tools ?? []).map((tool) => [tool.name, canonicalJson([tool, erasOf(snapshot, tool.name)])]),
    );
  const before = index(approved);
  const after = index(current);
  return {
    added: [...after.keys()].filter((name) => !before.has(name)).sort(),
    removed: [...before.keys()].filter((name) => !after.has(name)).sort(),
    changed: [...after.entries()]
      .filter(([name, json]) => before.has(name) && before.get(name) !== json)
      .map(([name]) => name)
      .sort(),
  };
}
