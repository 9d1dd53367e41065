import { type Rect, type Virtualizer, elementScroll, measureElement, observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';

/**
 * The plan and run views' windowing, on TanStack Virtual (as the inventory's VirtualTable): only
 * the rows (or Gantt lanes) in view, plus a margin, are in the DOM, so a 3,421-step plan costs
 * what forty rows cost. Rows may be taller than estimated (a long step text wraps): they are
 * measured once rendered.
 *
 * Where the scroller has no layout (jsdom, a panel not yet shown) every size reads 0: a viewport
 * of FALLBACK_VIEWPORT px is assumed and an unmeasurable row keeps its estimate, so a window of
 * rows still renders instead of none (or, with every row 0 px high, all of them).
 */

export const FALLBACK_VIEWPORT = 640;

export type RowVirtualizer = Virtualizer<HTMLDivElement, Element>;

export interface RowVirtualizerOptions {
  readonly count: number;
  /** Each row's height before it is measured (its exact height for fixed rows). */
  readonly estimate: (index: number) => number;
  readonly key?: (index: number) => string | number;
  /** Rows rendered beyond each edge of the viewport. */
  readonly overscan?: number;
}

export function observeWithFallback(instance: Virtualizer<HTMLDivElement, Element>, onRect: (rect: Rect) => void): (() => void) | undefined {
  return observeElementRect(instance, (rect) => onRect(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_VIEWPORT }));
}

function measureWithFallback(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<HTMLDivElement, Element>): number {
  const size = measureElement(element, entry, instance);
  return size > 0 ? size : instance.options.estimateSize(instance.indexFromElement(element));
}

/** A DOM without Element.scrollTo (jsdom) still scrolls, and says so as a browser would. */
function scrollWithFallback(offset: number, options: { adjustments?: number; behavior?: ScrollBehavior }, instance: Virtualizer<HTMLDivElement, Element>): void {
  const el = instance.scrollElement;
  if (el === null || typeof el.scrollTo === 'function') {
    elementScroll(offset, options, instance);
    return;
  }
  el.scrollTop = offset + (options.adjustments ?? 0);
  // after the current render, as a browser's scroll event comes
  queueMicrotask(() => el.dispatchEvent(new Event('scroll')));
}

export function useRowVirtualizer(scroller: RefObject<HTMLDivElement | null>, options: RowVirtualizerOptions): RowVirtualizer {
  return useVirtualizer<HTMLDivElement, Element>({
    count: options.count,
    getScrollElement: () => scroller.current,
    estimateSize: options.estimate,
    overscan: options.overscan ?? 10,
    observeElementRect: observeWithFallback,
    measureElement: measureWithFallback,
    scrollToFn: scrollWithFallback,
    ...(options.key ? { getItemKey: options.key } : {}),
  });
}
