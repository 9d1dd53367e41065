import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useRef } from 'react';

import type { SortDirection } from '../screens/inventory/view.js';

export interface Column<R> {
  readonly key: string;
  readonly title: string;
  /** The value sorted on (and shown unless `render` is given). */
  readonly value?: (row: R) => string | number;
  readonly render?: (row: R) => ReactNode;
  /** CSS grid track: `minmax(8rem, 2fr)`, `6rem`… */
  readonly width: string;
  readonly numeric?: boolean;
}

export interface SortState {
  readonly key: string;
  readonly direction: SortDirection;
}

export interface VirtualTableProps<R> {
  readonly label: string;
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  readonly rowKey: (row: R) => string | number;
  readonly sort: SortState;
  readonly onSort: (sort: SortState) => void;
  readonly rowLabel?: (row: R) => string;
}

const ROW_HEIGHT = 34;

/**
 * A table that renders only the rows in view (TanStack Virtual), so 30,000 rows scroll like 30:
 * ARIA table roles on a CSS grid, the header sticky above a scrolling body, sorting by a button in
 * each header (aria-sort says the order), figures in tabular digits.
 */
export function VirtualTable<R>({ label, columns, rows, rowKey, sort, onSort, rowLabel }: VirtualTableProps<R>): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => {
      const row = rows[i];
      return row === undefined ? i : rowKey(row);
    },
  });
  const template = columns.map((c) => c.width).join(' ');
  return (
    <div className="ferry-vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div role="rowgroup" className="ferry-vtable__head">
        <div role="row" aria-rowindex={1} className="ferry-vtable__row" style={{ gridTemplateColumns: template }}>
          {columns.map((c) => {
            const sorted = sort.key === c.key;
            return (
              <div key={c.key} role="columnheader" className={c.numeric ? 'ferry-num' : undefined} aria-sort={sorted ? (sort.direction === 'asc' ? 'ascending' : 'descending') : c.value ? 'none' : undefined}>
                {c.value ? (
                  <button type="button" className="ferry-vtable__sort" onClick={() => onSort({ key: c.key, direction: sorted && sort.direction === 'asc' ? 'desc' : 'asc' })}>
                    {c.title}
                    <span aria-hidden="true">{sorted ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                ) : (
                  c.title
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div ref={scroller} className="ferry-vtable__body" role="rowgroup">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                aria-label={rowLabel?.(row)}
                className="ferry-vtable__row"
                style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
              >
                {columns.map((c) => (
                  <div key={c.key} role="cell" className={c.numeric ? 'ferry-num' : undefined}>
                    {c.render ? c.render(row) : c.value ? String(c.value(row)) : null}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {rows.length === 0 ? <p className="ferry-vtable__empty">No row matches.</p> : null}
    </div>
  );
}
