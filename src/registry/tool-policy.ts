import type { Principal } from '../common/principal.js';
import {
  type CapabilitySnapshot,
  type DiscoveredTool,
  LEGACY_REVISION,
  MODERN_REVISION,
  type RegisteredServer,
  type ToolEras,
} from './registry.types.js';
import { ownValue } from '../common/own-value.js';

/**
 * Approved tools by name, built once per snapshot: a cached server keeps the same snapshot object until it
 * changes, so a proxied call costs a lookup, not an index build.
 */
const indexes = new WeakMap<CapabilitySnapshot, Map<string, DiscoveredTool>>();

function approvedIndex(snapshot: CapabilitySnapshot | null): Map<string, DiscoveredTool> | undefined {
  if (!snapshot) return undefined;
  let index = indexes.get(snapshot);
  if (!index) {
    index = new Map(snapshot.tools.map((tool) => [tool.name, tool]));
    indexes.set(snapshot, index);
  }
  return index;
}

/**
 * Which tools of a server a caller may see and call: the approved snapshot (a tool an upstream added or changed
 * without approval is neither listed nor callable), minus tools whose role rule the caller does not meet.
 * A server never discovered (no approved snapshot) is passed through unfiltered.
 */
export class ToolPolicy {
  constructor(
    private readonly server: RegisteredServer,
    private readonly principal: Principal,
  ) {}

  private get approved(): Map<string, DiscoveredTool> | undefined {
    return approvedIndex(this.server.approvedCapabilities);
  }

  private rolesAllow(name: string): boolean {
    const required = ownValue(this.server.toolRoles, name);
    return !required || required.length === 0 || required.some((role) => this.principal.roles.includes(role));
  }

  /** Whether `tools/call` of `name` may go upstream. */
  mayCall(name: string): boolean {
    const approved = this.approved;
    if (approved && !approved.has(name)) return false;
    return this.rolesAllow(name);
  }

  /** The approved definition of a tool, as the gateway serves it. */
  definition(name: string): DiscoveredTool | undefined {
    return this.approved?.get(name);
  }

  /**
   * A `tools/list` result reduced to the tools the caller may call. An approved tool is served with its approved
   * definition, so a silently changed description or schema never reaches the model.
   */
  filterList(result: Record<string, unknown>): Record<string, unknown> {
    if (!Array.isArray(result.tools)) return result;
    const approved = this.approved;
    const tools = (result.tools as { name?: unknown }[])
      .filter((tool) => typeof tool.name === 'string' && this.mayCall(tool.name))
      .map((tool) => {
        // The approved definition as a whole: a field the upstream added since approval (annotations such as
        // readOnlyHint, which clients trust to skip a confirmation) must not ride along.
        return approved?.get(tool.name as string) ?? tool;
      });
    return { ...result, tools };
  }

  /**
   * What `tools/list` shows this caller on a session of `revision` (the `MCP-Protocol-Version` it sends), known from
   * the registry alone: the approved definitions of the tools the caller may call that the upstream still offered to
   * that revision at its last check (a tool it dropped is gone then, as from its own list; one it added or changed
   * waits for approval either way). Undefined when only the upstream knows: never discovered, or it lists some tools
   * only to clients that declared sampling, elicitation or roots in their own `initialize`.
   */
  listedTools(revision: string | undefined): DiscoveredTool[] | undefined {
    const approved = this.server.approvedCapabilities;
    const current = this.server.capabilities;
    if (!approved || !current) return undefined;
    if (approved.clientCapabilityTools?.length || current.clientCapabilityTools?.length) return undefined;
    // Dated revisions compare as strings; no header means a 2025 client (the transport's own default).
    const era = revision !== undefined && revision >= MODERN_REVISION ? MODERN_REVISION : LEGACY_REVISION;
    const offered = offeredTo(current, era);
    const approvedInEra = approved.toolEras ? new Set(approved.toolEras[era]) : undefined;
    return approved.tools.filter(
      (tool) =>
        offered.has(tool.name) && (!approvedInEra || approvedInEra.has(tool.name)) && this.mayCall(tool.name),
    );
  }

  /** Idempotent enough to retry: the tool says it only reads or may be repeated safely. */
  isRetryable(name: string): boolean {
    const annotations = this.definition(name)?.annotations;
    return annotations?.readOnlyHint === true || annotations?.idempotentHint === true;
  }
}

/** The tool names a snapshot offers to clients of one revision (a 2025-only snapshot offers all to either). */
function offeredTo(snapshot: CapabilitySnapshot, era: keyof ToolEras) {
  return new Set(snapshot.toolEras ? snapshot.toolEras[era] : snapshot.tools.map((tool) => tool.name));
}
