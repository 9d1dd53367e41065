import { type RefObject, useCallback, useEffect, useState } from 'react';

/**
 * A fixed-height row window over a scrolling container: only the rows in view (plus a margin) are
 * rendered, so a 590-step list costs what forty rows cost. Where the container has no layout yet
 * (first render, or a DOM without layout) a default viewport height is assumed.
 */
export interface RowWindow {
  readonly first: number;
  /** One past the last row to render. */
  readonly last: number;
  readonly totalHeight: number;
  /** Scrolls so that row `index` is in view. */
  scrollTo(index: number): void;
}

const DEFAULT_VIEWPORT = 640;
const OVERSCAN = 10;

export function visibleRange(count: number, rowHeight: number, scrollTop: number, viewport: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + (viewport > 0 ? viewport : DEFAULT_VIEWPORT)) / rowHeight) + OVERSCAN);
  return { first, last: Math.max(first, last) };
}

export function useRowWindow(container: RefObject<HTMLElement | null>, count: number, rowHeight: number): RowWindow {
  const [view, setView] = useState({ scrollTop: 0, viewport: 0 });
  useEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    const update = (): void => setView({ scrollTop: el.scrollTop, viewport: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      el.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [container]);
  const scrollTo = useCallback(
    (index: number) => {
      const el = container.current;
      if (!el) return;
      const top = index * rowHeight;
      const viewport = el.clientHeight > 0 ? el.clientHeight : DEFAULT_VIEWPORT;
      if (top < el.scrollTop || top + rowHeight > el.scrollTop + viewport) {
        el.scrollTop = Math.max(0, top - viewport / 3);
        setView({ scrollTop: el.scrollTop, viewport: el.clientHeight });
      }
    },
    [container, rowHeight],
  );
  const { first, last } = visibleRange(count, rowHeight, view.scrollTop, view.viewport);
  return { first, last, totalHeight: count * rowHeight, scrollTo };
}
