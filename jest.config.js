/**
 * Jest runs in its default CommonJS mode with @swc/jest: NestJS 12 is ESM-only while @rekog/mcp-nest is CommonJS
 * and require()s it, which Jest's ESM runtime refuses. swc therefore also transforms the ESM-only packages below.
 * See docs/adr/0001-esm-nest-with-commonjs-jest.md.
 */
const esmPackages = [
  '@nestjs',
  '@modelcontextprotocol',
  '@rekog',
  'jose',
  'file-type',
  'uid',
  'load-esm',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@electric-sql',
  'hono',
  '@hono',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Every DataSource a spec opens maps the features' entities, as in the app (src/app/entities.ts registers them).
  setupFiles: ['<rootDir>/src/app/entities.ts'],
};

const withDatabase = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/test/static/**/*.spec.ts',
        // The admin console's logic (diffs, error placement); the browser spec covers its pages.
        '<rootDir>/admin/src/**/*.spec.ts',
      ],
    },
    {
      ...common,
      ...withDatabase,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
    },
    { ...common, ...withDatabase, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
  testTimeout: 30000,
};
