// Electron entry: a thin shell. All logic lives in src/ (pure) and main/node (adapters), which also
// run without Electron in serve mode; this file only owns the window and its security settings.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BrowserWindow, app, shell } from 'electron';

const here = fileURLToPath(new URL('.', import.meta.url));

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Ferry',
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Only http(s) links leave the app, and they open in the system browser.
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  void window.loadFile(join(here, '..', '..', '..', 'renderer', 'index.html'));
}

void app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
