import { type Parsed, excerpt, kibOf, labelledLines, parseError, parsed } from './parse.js';

/** `virsh nodememstats` (KiB): what the host's memory holds now. */
export interface NodeMemStats {
  readonly totalKiB: number;
  readonly freeKiB: number;
  readonly buffersKiB?: number;
  readonly cachedKiB?: number;
}

const COMMAND = 'virsh nodememstats';

export function parseNodeMemStats(output: string): Parsed<NodeMemStats> {
  const fields = labelledLines(COMMAND, output);
  if (!fields.ok) return fields;
  const values = new Map<string, number>();
  for (const [label, { value, line }] of fields.value) {
    const kib = kibOf(value);
    if (kib === undefined) return parseError(COMMAND, line, `${excerpt(label)} must be an amount like '3000000 KiB', got ${excerpt(value)}`);
    values.set(label, kib);
  }
  const total = values.get('total');
  const free = values.get('free');
  if (total === undefined) return parseError(COMMAND, null, "no 'total' line");
  if (free === undefined) return parseError(COMMAND, null, "no 'free' line");
  if (free > total) return parseError(COMMAND, fields.value.get('free')?.line ?? null, `free (${free} KiB) exceeds total (${total} KiB)`);
  const buffers = values.get('buffers');
  const cached = values.get('cached');
  return parsed({ totalKiB: total, freeKiB: free, ...(buffers === undefined ? {} : { buffersKiB: buffers }), ...(cached === undefined ? {} : { cachedKiB: cached }) });
}
