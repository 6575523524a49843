import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';
import type { DiscoveryLimits } from '../../config/app-config.js';
import {
  LEGACY_REVISION,
  MODERN_REVISION,
  type CapabilitySnapshot,
  type ToolEras,
} from '../registry.types.js';
import { checkCount, checkDefinition } from './discovery-bounds.js';

export interface DiscoveredLists {
  tools: Tool[];
  /** The tool names a client declaring no capabilities is offered; undefined when that was not found out. */
  plainToolNames?: ReadonlySet<string>;
  /** The tools listed on the 2026-07-28 revision; undefined when the server does not speak it. */
  modernTools?: Tool[];
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

/**
 * What discovery stores, from what the upstream listed: only the fields the gateway serves, descriptions cut to
 * the configured length, and every definition within its bounds. Tools and prompts decide what may be called and
 * are approved as a whole, so too many of them, or one too large, refuses the snapshot; resource lists follow the
 * server's data, so only their first `maxItems` entries are kept.
 */
export function boundedSnapshot(
  lists: DiscoveredLists,
  serverCapabilities: Record<string, unknown>,
  limits: DiscoveryLimits,
): CapabilitySnapshot {
  const offered = unionOfEras(lists.tools, lists.modernTools);
  checkCount('tools', offered.length, limits);
  checkCount('prompts', lists.prompts.length, limits);
  const description = (text: string | undefined) =>
    text ? { description: text.slice(0, limits.maxDescriptionLength) } : {};
  const tools = offered.map((tool) => {
    const kept = {
      name: tool.name,
      ...(tool.title ? { title: tool.title } : {}),
      ...description(tool.description),
      inputSchema: tool.inputSchema,
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    };
    checkDefinition('tool', kept, [tool.inputSchema, tool.outputSchema, tool.annotations], limits);
    return kept;
  });
  const prompts = lists.prompts.map((prompt) => {
    const kept = {
      name: prompt.name,
      ...description(prompt.description),
      ...(prompt.arguments ? { arguments: prompt.arguments } : {}),
    };
    checkDefinition('prompt', kept, [prompt.arguments], limits);
    return kept;
  });
  const resources = lists.resources.slice(0, limits.maxItems).map((resource) => {
    const kept = {
      uri: resource.uri,
      name: resource.name,
      ...description(resource.description),
      ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
    };
    checkDefinition('resource', kept, [], limits);
    return kept;
  });
  const resourceTemplates = lists.templates.slice(0, limits.maxItems).map((template) => {
    const kept = {
      uriTemplate: template.uriTemplate,
      name: template.name,
      ...description(template.description),
    };
    checkDefinition('resource template', kept, [], limits);
    return kept;
  });
  checkDefinition('server capabilities', {}, [serverCapabilities], limits);
  const plain = lists.plainToolNames;
  const gated = plain
    ? tools
        .map((tool) => tool.name)
        .filter((name) => !plain.has(name))
        .sort()
    : [];
  return {
    tools,
    resources,
    resourceTemplates,
    prompts,
    serverCapabilities,
    ...(gated.length > 0 ? { clientCapabilityTools: gated } : {}),
    ...(lists.modernTools ? { toolEras: toolEras(lists.tools, lists.modernTools) } : {}),
  };
}

/**
 * Every tool either revision offers, once: the 2025 definition where both list a name (it is what the SDK's
 * 2025 clients, the federated endpoint's included, are shown), then the tools only the 2026-07-28 revision offers.
 */
function unionOfEras(legacy: Tool[], modern: Tool[] | undefined): Tool[] {
  if (!modern) return legacy;
  const names = new Set(legacy.map((tool) => tool.name));
  return [...legacy, ...modern.filter((tool) => !names.has(tool.name))];
}

function toolEras(legacy: Tool[], modern: Tool[]): ToolEras {
  const names = (tools: Tool[]) => [...new Set(tools.map((tool) => tool.name))].sort();
  return { [LEGACY_REVISION]: names(legacy), [MODERN_REVISION]: names(modern) };
}
