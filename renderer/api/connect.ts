import type { FerryClient } from './client.js';
import { createHttpClient } from './http.js';
import { createIpcClient } from './ipc.js';

/**
 * The composition root's choice of transport: inside the Electron app the preload's bridge; in a
 * browser (serve mode) the local server that served the page, with the token of its address.
 *
 * The token is taken from the address once, kept in memory only, and removed from the address bar
 * (and so from the history, bookmarks and any screenshot of the page). After a reload the address
 * has no token any more: the HttpOnly cookie the server set on the first load carries it.
 */
export function connectFromPage(): FerryClient {
  if (window.ferry !== undefined) return createIpcClient(window.ferry);
  return createHttpClient({ baseUrl: window.location.origin, token: takeTokenFromAddress() });
}

function takeTokenFromAddress(): string {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token') ?? '';
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return token;
}
