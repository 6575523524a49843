/**
 * Jest's globalSetup runs in plain Node with the transform but without `moduleNameMapper`, so the NodeNext-style
 * `./x.js` imports of our sources cannot be found there. Retrying a relative `.js` request without the extension
 * lets the transformed `.ts` file load, exactly as the mapper does inside test files.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose, loaded before any transform
const Module = require('node:module');

const original = Module._resolveFilename;
Module._resolveFilename = function resolveWithTsFallback(request, ...rest) {
  try {
    return original.call(this, request, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js'))
      return original.call(this, request.slice(0, -3), ...rest);
    throw error;
  }
};
