// The preload of the console's window (sandboxed: bundled to one CommonJS file by
// `npm run build:preload`). It exposes exactly one object, `ferry`, and nothing of Electron.
import { contextBridge, ipcRenderer } from 'electron';

import { createBridge } from './preload-api.js';

contextBridge.exposeInMainWorld('ferry', createBridge(ipcRenderer));
