import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { type UserConfig, defineConfig } from 'vite';

/**
 * The console's bundle. Root is renderer/; the output goes to dist/renderer, which Electron loads
 * from file:// and serve mode serves over HTTP, hence the relative base ('./'). The domain core in
 * src/ is imported with NodeNext's `.js` suffixes; Vite resolves them to the `.ts` sources.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

const config = {
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // CodeMirror, PatternFly and React make one large chunk; the console is loaded locally, never over a network
    chunkSizeWarningLimit: 4096,
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
} satisfies UserConfig;

export default defineConfig(({ command }) => {
  // A build is the shipped console: React's production build and JSX runtime, whatever NODE_ENV
  // the caller has (vitest's 'test' reached the e2e and bench builds, which then ran React's
  // development build, several times slower). Vite reads NODE_ENV after this file (see its docs).
  if (command === 'build') process.env['NODE_ENV'] = 'production';
  return config;
});
