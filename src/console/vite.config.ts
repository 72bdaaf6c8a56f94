/**
 * Builds the admin console to dist/console/, which the server serves at /console
 * (src/http/routes/console.ts). `npm run build` runs it after the server's tsc.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // CodeMirror is most of the bundle; one chunk of ~600 kB is fine for an admin tool.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npx vite --config src/console/vite.config.ts` for development against `npm start` on :3000
    proxy: { '/api': 'http://127.0.0.1:3000', '/healthz': 'http://127.0.0.1:3000', '/oidc': 'http://127.0.0.1:3000' },
  },
});
