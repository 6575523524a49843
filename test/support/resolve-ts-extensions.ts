import Module from 'node:module';

/**
 * Jest's globalSetup runs in plain Node with the transform but without `moduleNameMapper`, so the NodeNext-style
 * `./x.js` imports of our sources cannot be found there. Retrying a relative `.js` request without the extension
 * lets the transformed `.ts` file load, exactly as the mapper does inside test files.
 */
type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolve };
const original = moduleWithResolver._resolveFilename;

moduleWithResolver._resolveFilename = function resolveWithTsFallback(request: string, ...rest: unknown[]): string {
  try {
    return original.call(this, request, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js')) return original.call(this, request.slice(0, -3), ...rest);
    throw error;
  }
};
