import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The admin console: Preact, compiled by Vite's own JSX transform (no framework plugin, so nothing that needs a
 * newer Node), built into dist/console, which the gateway serves at /admin. No inline script or style is emitted
 * (modulePreload polyfill off, CSS as files), so the page runs under `script-src 'self'; style-src 'self'`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
});
