import { ByteBudget } from '../../common/http/byte-budget.js';
import { deeperThan } from '../../common/http/json-depth.js';
import type { DiscoveryLimits } from '../../config/app-config.js';

/** Fixed bounds (protocol sanity, not tuning): longer names, titles or URIs are refused, not cut. */
export const MAX_NAME_LENGTH = 256;
export const MAX_TITLE_LENGTH = 1024;
export const MAX_URI_LENGTH = 4096;

/**
 * An upstream sent more than discovery accepts. Names the bound and the setting that raises it, so the operator who
 * reads it on registration or in a health check's last error knows what to change (or whom to blame).
 */
export class CapabilitiesTooLarge extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(setting ? `${message} (the bound is ${setting})` : message);
  }
}

/** The bytes one discovery may read from its upstream, all its requests together (MREG_DISCOVERY_MAX_BYTES). */
export function discoveryBudget(limits: DiscoveryLimits): ByteBudget {
  return new ByteBudget(
    limits.maxBytes,
    (limit, how) =>
      new CapabilitiesTooLarge(
        `The upstream ${how} more than ${limit} bytes of capabilities in one discovery`,
        'MREG_DISCOVERY_MAX_BYTES',
      ),
  );
}

/** What one definition may not exceed; throws `CapabilitiesTooLarge` naming what it broke. */
export function checkDefinition(
  kind: string,
  definition: { name?: string; title?: string; uri?: string; uriTemplate?: string },
  nested: unknown[],
  limits: DiscoveryLimits,
): void {
  const label = `${kind} "${String(definition.name ?? definition.uri ?? '').slice(0, 80)}"`;
  if ((definition.name?.length ?? 0) > MAX_NAME_LENGTH)
    throw new CapabilitiesTooLarge(`The ${kind} name is longer than ${MAX_NAME_LENGTH} characters`);
  if ((definition.title?.length ?? 0) > MAX_TITLE_LENGTH)
    throw new CapabilitiesTooLarge(`The title of ${label} is longer than ${MAX_TITLE_LENGTH} characters`);
  const uri = definition.uri ?? definition.uriTemplate;
  if ((uri?.length ?? 0) > MAX_URI_LENGTH)
    throw new CapabilitiesTooLarge(`The URI of ${label} is longer than ${MAX_URI_LENGTH} characters`);
  const bytes = Buffer.byteLength(JSON.stringify(definition));
  if (bytes > limits.maxItemBytes) {
    throw new CapabilitiesTooLarge(
      `The definition of ${label} is ${bytes} bytes, more than ${limits.maxItemBytes}`,
      'MREG_DISCOVERY_MAX_ITEM_BYTES',
    );
  }
  for (const value of nested) {
    if (value !== null && typeof value === 'object' && deeperThan(value, limits.maxSchemaDepth)) {
      throw new CapabilitiesTooLarge(
        `A schema of ${label} is nested deeper than ${limits.maxSchemaDepth} levels`,
        'MREG_DISCOVERY_MAX_SCHEMA_DEPTH',
      );
    }
  }
}

/** Refuses a list longer than the setting allows (silently cutting it would approve a different server). */
export function checkCount(kind: string, count: number, limits: DiscoveryLimits): void {
  if (count > limits.maxItems) {
    throw new CapabilitiesTooLarge(
      `The upstream lists ${count} ${kind}, more than ${limits.maxItems}`,
      'MREG_DISCOVERY_MAX_ITEMS',
    );
  }
}
