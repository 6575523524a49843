import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import type { Principal } from '../../common/principal.js';
import type { CatalogFingerprints, FederatedCatalog } from './federated-catalog.js';

const EVENTS: Record<keyof CatalogFingerprints, ServerEvent> = {
  tools: { kind: 'tools_list_changed' },
  prompts: { kind: 'prompts_list_changed' },
  resources: { kind: 'resources_list_changed' },
};

/**
 * The change events of `/federated/mcp`'s `subscriptions/listen` streams (2026-07-28). Each stream hears only of
 * the lists its own caller sees changing, as the 2025 GET stream does. The SDK subscribes a stream while it serves
 * the listen request, which runs inside `serving(principal, …)`: that is how the bus knows whose stream it is.
 */
export class FederatedListenBus implements ServerEventBus {
  private readonly caller = new AsyncLocalStorage<Principal>();

  constructor(private readonly catalog: FederatedCatalog) {}

  serving<T>(principal: Principal, work: () => T): T {
    return this.caller.run(principal, work);
  }

  /** Nothing publishes to every stream: changes are per caller, and come from the registry. */
  publish(): void {}

  subscribe(listener: (event: ServerEvent) => void): () => void {
    const principal = this.caller.getStore();
    // Subscribed outside a request: there is no caller whose lists could change.
    if (!principal) return () => undefined;
    return this.catalog.watchLists(principal, (lists) => {
      for (const list of lists) listener(EVENTS[list]);
    });
  }
}
