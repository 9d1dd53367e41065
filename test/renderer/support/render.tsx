import { cleanup, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach } from 'vitest';

import { StoreProvider } from '../../../renderer/store/index.js';
import type { RendererHarness } from './services.js';

afterEach(() => cleanup());

/** Renders a tree under the harness's store. */
export function renderWithStore(h: RendererHarness, ui: ReactNode): ReturnType<typeof render> {
  return render(<StoreProvider store={h.store}>{ui}</StoreProvider>);
}

/**
 * jsdom lays nothing out (every size is 0), so a virtualised list would show no row at all. This
 * gives every element the size of a small window, as a browser would: the table then renders the
 * rows of one screenful (plus its overscan), never all of them.
 */
export function giveLayout(width = 1200, height = 400): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  // CodeMirror measures text through ranges, which jsdom does not lay out either
  const empty = (): DOMRectList => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  if (typeof Range.prototype.getClientRects !== 'function') Range.prototype.getClientRects = empty;
  if (typeof Element.prototype.scrollIntoView !== 'function') Element.prototype.scrollIntoView = () => {};
  if (typeof Range.prototype.getBoundingClientRect !== 'function') Range.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 0, 0);
}
