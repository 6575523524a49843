/**
 * The module map, enforced (docs/architecture.md, ADR 0014): each top-level folder of `src/` is a layer, and a file
 * may import (values or types) from its own folder and from the layers below it, never above. Folders in the same
 * layer do not import each other. So the folders can form no cycle, and a new import that would make one fails lint.
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
  ['mcp', 'health'],
  ['app'],
  ['cli'],
];

const elements = LAYERS.flat().map((type) => ({ type, pattern: `src/${type}` }));

const policies = LAYERS.flatMap((layer, index) =>
  layer.map((type) => ({
    from: { element: { type } },
    allow: { to: { element: { types: { anyOf: [type, ...LAYERS.slice(0, index).flat()] } } } },
  })),
);

export default [
  {
    files: ['src/**/*.ts'],
    // Specs beside the code wire real collaborators from other layers to test against; the rule is for the product.
    ignores: ['src/**/*.spec.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  },
];
