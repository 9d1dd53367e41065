/**
 * Repeated diagnostics, capped: one script line can produce 20,000 warnings of one kind, and
 * printing them all (each with its source line) buried the terminal in gigabytes. The first
 * `perKey` of each key are kept in order; the rest are counted, one summary line per key.
 */
export interface Capped<T> {
  readonly shown: readonly T[];
  /** How many of each key were left out, in the order the keys first appeared. */
  readonly omitted: ReadonlyMap<string, number>;
}

export function capByKey<T>(items: readonly T[], key: (item: T) => string, perKey = 10): Capped<T> {
  const seen = new Map<string, number>();
  const shown: T[] = [];
  const omitted = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n <= perKey) shown.push(item);
    else omitted.set(k, (omitted.get(k) ?? 0) + 1);
  }
  return { shown, omitted };
}

/** `and 19990 more like this (warning operation)` for each key that was capped. */
export function omittedLines(omitted: ReadonlyMap<string, number>): string[] {
  return [...omitted].map(([k, n]) => `and ${n} more like this (${k})`);
}
