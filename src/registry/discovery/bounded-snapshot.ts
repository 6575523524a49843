import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';
import type { DiscoveryLimits } from '../../config/app-config.js';
import type { CapabilitySnapshot } from '../registry.types.js';
import { checkCount, checkDefinition } from './discovery-bounds.js';

export interface DiscoveredLists {
  tools: Tool[];
  /** The tool names a client declaring no capabilities is offered; undefined when that was not found out. */
  plainToolNames?: ReadonlySet<string>;
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
  checkCount('tools', lists.tools.length, limits);
  checkCount('prompts', lists.prompts.length, limits);
  const description = (text: string | undefined) =>
    text ? { description: text.slice(0, limits.maxDescriptionLength) } : {};
  const tools = lists.tools.map((tool) => {
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
  };
}
