import type { EntitySchema, MixedList } from 'typeorm';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for an entity class
type Entity = Function | string | EntitySchema;

let registered: Entity[] = [];

/**
 * The entities every DataSource maps. Registered once by the composition root (`src/app/entities.ts`, imported by the
 * app, the CLI, the TypeORM CLI and the test setup), so that `database` depends on no feature.
 */
export function registerEntities(entities: readonly Entity[]): void {
  registered = [...entities];
}

export function registeredEntities(): MixedList<Entity> {
  return registered;
}
