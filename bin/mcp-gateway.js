#!/usr/bin/env node
// Entry point of the `mcp-gateway` CLI; the compiled code lives in dist/ (npm run build).
try {
  await import('../dist/src/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('mcp-gateway is not built yet: run `npm run build` first.\n');
    process.exit(1);
  }
  throw error;
}
