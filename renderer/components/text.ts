import { safeName } from '../../src/text/safe.js';

/**
 * Names from clusters and files shown on screen: React already escapes markup, so what remains is
 * control characters (a newline or a bidi trick forging a line or a label): src/text's safeName
 * turns each into U+FFFD, as every text Ferry prints does.
 */
export function shown(name: string): string {
  return safeName(name);
}

/** "12 s ago", "3 min ago", "2 h ago": how fresh a read is. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min ago`;
  return `${Math.round(min / 60)} h ago`;
}

/** Resource amounts with their unit: memory in MiB becomes GiB, cpu is in vCPU / cores. */
export function amount(resource: string, value: number): string {
  if (/^mem/i.test(resource)) return `${formatNumber(value / 1024)} GiB`;
  if (resource === 'cpu') return `${formatNumber(value)} vCPU`;
  return formatNumber(value);
}

/** A node's capacity: cpu capacity counts cores (what VMs' vCPUs are overcommitted on). */
export function capacityText(resource: string, value: number): string {
  return resource === 'cpu' ? `${formatNumber(value)} cores` : amount(resource, value);
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}
