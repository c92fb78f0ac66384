import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Built into dist/web and served by apps/api at `/`. During development run the API on :3000
// and `node node_modules/vite/bin/vite.js apps/web` (the proxy below forwards the API routes).
const api = 'http://localhost:3000';
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client"; that is for server components only
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/graphql': api,
      '/socket.io': { target: api, ws: true },
      '/api': api,
      '/public': api,
      '/.well-known': api,
    },
  },
});
