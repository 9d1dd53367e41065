// Lint rules, including the layering rules of ARCHITECTURE.md: `src/` is the pure domain core
// (no Node, no Electron, no DOM, no React), `main/node` never imports Electron, the renderer
// never imports Node or the main process.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'zlib', 'crypto', 'http', 'net', 'url', 'util', 'stream', 'events'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench-out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'src/ is the pure domain core: no Node APIs (put adapters in main/node).' },
            { group: ['electron', 'react', 'react-dom', 'zustand'], message: 'src/ is the pure domain core: no Electron or UI imports.' },
            { group: ['**/main/**', '**/renderer/**'], message: 'src/ must not depend on main/ or renderer/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'window', 'document', 'Buffer', 'require'],
    },
  },
  {
    files: ['main/node/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron'], message: 'main/node and the CLI run without Electron (serve mode): no electron import.' }] }],
    },
  },
  {
    // one door between the page and the main process: only ipc-binding.ts registers ipcMain
    // handlers (each checks its sender and validates against the contract), and only the preload
    // touches ipcRenderer (exposing the one typed API)
    files: ['main/electron/**/*.ts'],
    ignores: ['main/electron/ipc-binding.ts', 'main/electron/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'IPC goes through main/electron/ipc-binding.ts (ipcMain) and main/electron/preload.ts (ipcRenderer) only.',
            },
          ],
        },
      ],
    },
  },
  {
    // the console runs in a sandboxed page: no Node, no Electron, and the main process only through renderer/api
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'the renderer runs in a browser page: no Node APIs (ask main through renderer/api).' },
            { group: ['electron'], message: 'the renderer never imports Electron (the preload exposes the one typed API).' },
            { group: ['**/main/**'], allowTypeImports: true, message: 'the renderer reaches main only through the contract (renderer/api); type imports only.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
