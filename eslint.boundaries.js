/**
 * The module map, enforced (docs/architecture.md, ADR 0012): each top-level folder of `src/` is a layer, and a file
 * may import (values or types) from its own folder and from the layers below it, never above. Folders in the same
 * layer do not import each other. So the folders can form no cycle, and a new import that would make one fails lint.
 * Across folders, a feature's repositories and entities are its own (the persistence policy below).
 */
import boundaries from 'eslint-plugin-boundaries';

/** Bottom to top. */
export const LAYERS = [
  ['common'],
  ['config'],
  ['observability'],
  ['database'],
  ['tenancy'],
  ['auth'],
  ['registry'],
  ['audit'],
  ['throttling'],
  ['proxy'],
  ['mcp', 'health', 'admin-console'],
  ['app'],
  ['cli'],
];

const elements = LAYERS.flat().map((type) => ({ type, pattern: `src/${type}` }));

/**
 * File categories. Every file is `source`; a file gathers every category whose pattern it matches. A feature's
 * persistence is its repositories and entities.
 */
const files = [
  { category: 'source', pattern: 'src/*/**/*.ts' },
  { category: 'repository', pattern: 'src/**/*.repository.ts' },
  { category: 'entity', pattern: 'src/**/*.{entity,entities}.ts' },
  { category: 'entity-registration', pattern: 'src/app/entities.ts' },
  { category: 'migration', pattern: 'src/database/migrations/**/*.ts' },
  { category: 'public-api', pattern: 'src/*/index.ts' },
];

/** Features with a public API (`src/{feature}/index.ts`): other folders import them only through it. */
export const PUBLIC_APIS = ['tenancy', 'auth', 'registry', 'audit', 'throttling', 'proxy'];

const layerPolicies = LAYERS.flatMap((layer, index) =>
  layer.map((type) => ({
    from: { element: { type } },
    allow: { to: { element: { types: { anyOf: [type, ...LAYERS.slice(0, index).flat()] } } } },
  })),
);

/**
 * A feature reaches another through its exported service or port, never its repository or entities. Exempt: entity
 * files (TypeORM relations between features' entities, e.g. a server's tenant), the entity registration and the
 * migrations. Rules are last-match-wins, so this narrows what the layer policies above allow.
 */
const persistencePolicy = {
  from: { file: { categories: { noneOf: ['entity', 'entity-registration', 'migration'] } } },
  disallow: {
    to: {
      element: { type: '!{{from.element.type}}' },
      file: { categories: { anyOf: ['repository', 'entity'] } },
    },
  },
  message:
    "A feature reaches another through that feature's service or port, not its repository or entities (docs/architecture.md)",
};

/**
 * A feature with a public API is reached only through it: its services, ports, policy helpers and types, never a
 * file behind it. The entity registration and migrations are exempt (they name entities, which the API leaves out).
 */
const publicApiPolicies = PUBLIC_APIS.map((type) => ({
  from: {
    element: { type: `!${type}` },
    file: { categories: { noneOf: ['entity', 'entity-registration', 'migration'] } },
  },
  disallow: { to: { element: { type }, file: { categories: { noneOf: ['public-api'] } } } },
  message: `Import ${type} through src/${type}/index.ts, its public API (docs/architecture.md)`,
}));

export default [
  {
    files: ['src/**/*.ts'],
    // Specs beside the code wire real collaborators from other layers to test against; the rule is for the product.
    ignores: ['src/**/*.spec.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', policies: [...layerPolicies, persistencePolicy, ...publicApiPolicies] },
      ],
    },
  },
];
