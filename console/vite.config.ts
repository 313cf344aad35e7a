import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is built into dist/console/, beside the compiled app: the `console` HTTP function
 * (functions/platform/console.ts) serves that folder under /api/console/, so the Function App
 * carries its own web page and no other server is needed.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Absolute: the page works at /api/console/ and at /api/console/index.html alike.
  base: '/api/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Hashed names under assets/: the function lets browsers keep them for a year.
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
