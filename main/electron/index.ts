// Electron entry: a thin shell. The services, the handler table and the renderer's files are the
// ones serve mode uses; this file only orders their start and stop around the window.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { BrowserWindow, app, dialog, protocol } from 'electron';

import { openServices } from '../cli/services.js';
import { securityHeaders } from '../node/serve/headers.js';
import { RendererFiles } from '../node/serve/static.js';
import { createHandlers } from '../rpc/index.js';
import { APP_HOST, APP_SCHEME } from './channels.js';
import { bindIpc } from './ipc-binding.js';
import { installSecurity } from './security.js';
import { createMainWindow } from './windows.js';

/** Built files, from dist/main/electron/index.js. */
const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../../preload/preload.cjs', import.meta.url));

// app:// is a standard, secure origin: fetch, relative URLs and the CSP's 'self' behave as on https
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

async function start(): Promise<void> {
  const opened = openServices();
  if (!opened.ok) {
    dialog.showErrorBox('Ferry cannot start', opened.message);
    app.quit();
    return;
  }
  const services = opened.services;
  const rpc = createHandlers({ ...services, actor: services.runs.actor }, { onInternalError: (where, e) => console.error(`ferry: internal error in ${where}:`, e) });

  const styleNonce = randomBytes(16).toString('base64url');
  const files = new RendererFiles(RENDERER_DIR, styleNonce);
  const headers = securityHeaders({ styleNonce });
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file = await files.get(url.pathname);
    // a 204 must have no body at all (the Response constructor refuses even an empty one)
    const body = file.status === 204 ? null : typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
    return new Response(body, { status: file.status, headers: { ...headers, 'Content-Type': file.type } });
  });
  installSecurity(styleNonce);

  const windowIds = new Set<number>();
  const unbind = bindIpc(rpc, windowIds);
  const open = (): void => {
    const window = createMainWindow(PRELOAD);
    const id = window.webContents.id;
    windowIds.add(id);
    window.on('closed', () => windowIds.delete(id));
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.once('will-quit', () => {
    unbind();
    rpc.close();
    services.close();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void app.whenReady().then(start);
