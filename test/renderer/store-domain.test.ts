// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type RendererHarness, openHarness } from './support/services.js';
import { lazyDomain } from '../../renderer/store/domain-source.js';
import { createFerryStoreOver } from '../../renderer/store/index.js';

/**
 * The page's store loads its domain code (decoder, dsl) at first use (renderer/main.tsx): the
 * same behaviour as the store tests', once the code is here, and a clear word before.
 */

const ROOT = join(import.meta.dirname, '..', '..');
let h: RendererHarness;

beforeEach(() => {
  window.location.hash = '';
  h = openHarness();
});
afterEach(() => h.close());

describe('the store over a lazily loaded domain', () => {
  it('loads the decoder with the first read, then analyses the script at once', async () => {
    const source = lazyDomain();
    const store = createFerryStoreOver(h.client, source);
    const s = () => store.getState();
    expect(source.loaded()).toBeNull();
    // no inventory yet: the script is kept, nothing is analysed (nor loaded)
    s().setScript('root(db1);\n');
    expect(s().analysis).toBeNull();
    await s().loadSnapshot();
    expect(source.loaded()).not.toBeNull();
    expect(s().connection).toBe('connected');
    expect(s().inventory?.model.mapping.nodeCount()).toBe(12);
    expect(s().activeConstraints.map((c) => [c.line, c.constraintId])).toEqual([[1, 'root']]);
    s().setScript('root(dbx);\n');
    expect(s().diagnostics.find((d) => d.severity === 'error')).toMatchObject({ line: 1, code: 'unknown-vm' });
  });

  it('refuses a file opened before the reader is here with a clear word, and opens it once loaded', async () => {
    const store = createFerryStoreOver(h.client, lazyDomain());
    const s = () => store.getState();
    const seed = readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8');
    expect(s().openInstanceText('seed.json', seed)).toBe(false);
    expect(s().notifications.at(-1)?.detail).toMatch(/still loading its instance reader/);
    expect(s().source.kind).toBe('cluster');
    expect(await s().openInstanceFile('seed.json', seed)).toBe(true);
    expect(s().source.kind).toBe('file');
    expect(s().inventory?.model.mapping.nodeCount()).toBe(4);
    expect(await s().openInstanceFile('bad.json', '{"model": ')).toBe(false);
    expect(s().notifications.at(-1)?.detail).toMatch(/^1:\d+: /);
  });

  it('formats once the formatter is here', async () => {
    const store = createFerryStoreOver(h.client, lazyDomain());
    const s = () => store.getState();
    s().setScript('spread(  {web1,web2} ) ;\n');
    expect(s().formatScript()).toBe(false);
    await new Promise<void>((resolve) => {
      const stop = store.subscribe((state) => {
        if (state.scriptText === 'spread({web1, web2});\n') {
          stop();
          resolve();
        }
      });
    });
    expect(s().formatScript()).toBe(true);
  });
});
