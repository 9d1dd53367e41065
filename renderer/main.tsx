import '@patternfly/react-core/dist/styles/base.css';
import './app/app.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { connectFromPage } from './api/index.js';
import { App, preloadScreen } from './app/App.js';
import { lazyDomain } from './store/domain-source.js';
import { StoreProvider, createFerryStoreOver } from './store/index.js';
import { THEME_KEY, applyTheme } from './store/ui.js';

/**
 * The composition root: the transport this page can use (the Electron preload's bridge, else the
 * serve-mode server with its token), one store over it, the console. The store's domain code
 * (instance decoder, dsl) is a chunk of its own, loaded with the first read of the cluster.
 */
const client = connectFromPage();
const store = createFerryStoreOver(client, lazyDomain());
applyTheme(store.getState().theme);
// the screen the page opens on is a chunk of its own: fetched while the shell renders
preloadScreen(store.getState().route);

// without a choice of their own, operators get the system's theme, also when it changes
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => {
  let chosen: string | null = null;
  try {
    chosen = window.localStorage.getItem(THEME_KEY);
  } catch {
    chosen = null;
  }
  if (chosen === null) {
    const theme = e.matches ? 'dark' : 'light';
    applyTheme(theme);
    store.setState({ theme });
  }
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
