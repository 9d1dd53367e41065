import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's bundle. Root is renderer/; the output goes to dist/renderer, which Electron loads
 * from file:// and serve mode serves over HTTP, hence the relative base ('./'). The domain core in
 * src/ is imported with NodeNext's `.js` suffixes; Vite resolves them to the `.ts` sources.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
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
});
