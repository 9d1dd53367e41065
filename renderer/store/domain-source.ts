import type { Domain } from './domain.js';

/**
 * Where the store gets its domain code (domain.ts): the page loads it at first use, as a chunk of
 * its own, so that the entry holds only the shell and the console appears without waiting for
 * the catalogue, the dsl and the instance reader; tests and tools hand it over already loaded.
 */
export interface DomainSource {
  /** The domain code if it is here, else null (then `load` brings it). */
  loaded(): Domain | null;
  /** The domain code, loaded once; a failed load is tried again by the next call. */
  load(): Promise<Domain>;
}

/** The domain code as its own chunk, fetched by the first `load`. */
export function lazyDomain(): DomainSource {
  let domain: Domain | null = null;
  let loading: Promise<Domain> | null = null;
  return {
    loaded: () => domain,
    load: () =>
      (loading ??= import('./domain.js').then(
        (m) => (domain = m.domain),
        (error: unknown) => {
          loading = null;
          throw error;
        },
      )),
  };
}

/** Domain code already loaded (imported statically by the caller). */
export function loadedDomain(domain: Domain): DomainSource {
  return { loaded: () => domain, load: () => Promise.resolve(domain) };
}
