import { type ReactNode, createContext, createElement, useContext } from 'react';
import { type StoreApi, createStore, useStore } from 'zustand';

import type { FerryClient } from '../api/index.js';
import { createClusterSlice } from './cluster.js';
import { createConstraintsSlice } from './constraints.js';
import { domain } from './domain.js';
import { type DomainSource, loadedDomain } from './domain-source.js';
import { createHistorySlice } from './history.js';
import { createPlanSlice } from './plan.js';
import { createRunSlice } from './run.js';
import type { FerryState } from './types.js';
import { createUiSlice } from './ui.js';

/**
 * The console's one store, built from its slices over one client (zustand's vanilla store with a
 * React context, so that tests and the composition root each inject their own client).
 */

export type FerryStore = StoreApi<FerryState>;
export type { FerryState } from './types.js';
export type { DomainSource } from './domain-source.js';

/** The store over a client, its domain code already loaded (tests, tools). */
export function createFerryStore(client: FerryClient): FerryStore {
  return createFerryStoreOver(client, loadedDomain(domain));
}

/** The store over a client and where its domain code comes from (the page: lazyDomain, at first use). */
export function createFerryStoreOver(client: FerryClient, source: DomainSource): FerryStore {
  return createStore<FerryState>()((...a) => ({
    ...createUiSlice(client)(...a),
    ...createClusterSlice(client, source)(...a),
    ...createConstraintsSlice(client, source)(...a),
    ...createPlanSlice(client)(...a),
    ...createRunSlice(client)(...a),
    ...createHistorySlice(client)(...a),
  }));
}

const StoreContext = createContext<FerryStore | null>(null);

export function StoreProvider({ store, children }: { readonly store: FerryStore; readonly children?: ReactNode }): ReactNode {
  return createElement(StoreContext.Provider, { value: store }, children);
}

/** The store itself (for actions read once, or `getState()` in handlers). */
export function useFerryStore(): FerryStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useFerry needs a <StoreProvider> above it');
  return store;
}

/** A narrow slice of the state: the component re-renders only when what the selector returns changes. */
export function useFerry<T>(selector: (state: FerryState) => T): T {
  return useStore(useFerryStore(), selector);
}
