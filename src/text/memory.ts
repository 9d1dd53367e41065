/**
 * Amounts of memory in operator words, one way everywhere (the console's summary, comparison and
 * steps, the maintenance report): MiB below a GiB (whole), then GiB, then TiB with one decimal.
 */
export function formatMemory(mib: number): string {
  if (mib >= 1024 * 1024) return `${(mib / (1024 * 1024)).toFixed(1)} TiB`;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${Math.round(mib)} MiB`;
}
