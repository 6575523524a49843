import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * Short builders for the response schemas of routes that answer plain objects (not DTO classes), so every route of
 * the OpenAPI document says what it returns. Every listed property is required unless passed in `optional`.
 */
export const text: SchemaObject = { type: 'string' };
export const integer: SchemaObject = { type: 'integer' };
export const number: SchemaObject = { type: 'number' };
export const boolean: SchemaObject = { type: 'boolean' };
export const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
/** Any JSON object (an upstream's schema, a server.json, capabilities). */
export const anyObject: SchemaObject = { type: 'object', additionalProperties: true };

export const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
export const arrayOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items });
/** An object keyed by names (tenant ids, statuses) with values of one shape. */
export const mapOf = (values: SchemaObject): SchemaObject => ({
  type: 'object',
  additionalProperties: values,
});

export function objectOf(
  properties: Record<string, SchemaObject | ReferenceObject>,
  optional: readonly string[] = [],
): SchemaObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
  };
}
