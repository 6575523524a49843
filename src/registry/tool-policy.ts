import type { Principal } from '../common/principal.js';
import type { CapabilitySnapshot, DiscoveredTool, RegisteredServer } from './registry.types.js';
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

  /** Idempotent enough to retry: the tool says it only reads or may be repeated safely. */
  isRetryable(name: string): boolean {
    const annotations = this.definition(name)?.annotations;
    return annotations?.readOnlyHint === true || annotations?.idempotentHint === true;
  }
}
