// The shell's security checklist, applied to every web contents the app creates: no new windows,
// no navigation away from the app's pages, no permission granted, the CSP on every response, and
// external links only to an allowlist, in the system browser.
import { app, session, shell } from 'electron';

import { contentSecurityPolicy } from '../node/serve/headers.js';
import { isAllowedExternal, isAppUrl } from './policy.js';

export function installSecurity(styleNonce: string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternal(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    const stayInApp = (event: { preventDefault(): void }, url: string): void => {
      if (isAppUrl(url)) return;
      event.preventDefault();
      if (isAllowedExternal(url)) void shell.openExternal(url);
    };
    contents.on('will-navigate', (event) => stayInApp(event, event.url));
    contents.on('will-redirect', (event) => stayInApp(event, event.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  const policy = contentSecurityPolicy({ styleNonce });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}
