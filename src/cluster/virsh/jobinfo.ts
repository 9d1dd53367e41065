import { type Parsed, excerpt, labelledLines, parseError, parsed } from './parse.js';

/** `virsh domjobinfo`: the job a domain runs (a migration, typically), for progress. */
export interface DomainJob {
  /** `None` when the domain runs no job; `Unbounded` while a migration runs; `Completed`, `Failed`, `Cancelled`. */
  readonly type: string;
  readonly operation?: string;
  readonly elapsedMs?: number;
  readonly processedBytes?: number;
  readonly remainingBytes?: number;
  readonly totalBytes?: number;
}

const COMMAND = 'virsh domjobinfo';
const UNITS: Record<string, number> = { B: 1, bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** `53.000 MiB` → bytes. */
function bytesOf(text: string): number | undefined {
  const m = /^(\d{1,16}(?:\.\d{1,6})?)\s*(B|bytes|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? 1));
}

export function parseDomJobInfo(output: string): Parsed<DomainJob> {
  const fields = labelledLines(COMMAND, output);
  if (!fields.ok) return fields;
  const type = fields.value.get('Job type');
  if (!type || type.value === '') return parseError(COMMAND, null, "no 'Job type:' line");
  const amount = (label: string): Parsed<number | undefined> => {
    const field = fields.value.get(label);
    if (!field) return parsed(undefined);
    const bytes = bytesOf(field.value);
    return bytes === undefined ? parseError(COMMAND, field.line, `${label} must be an amount like '53.000 MiB', got ${excerpt(field.value)}`) : parsed(bytes);
  };
  const processed = amount('Data processed');
  const remaining = amount('Data remaining');
  const total = amount('Data total');
  for (const a of [processed, remaining, total]) if (!a.ok) return a;
  const elapsed = fields.value.get('Time elapsed');
  const elapsedMs = elapsed === undefined ? undefined : /^(\d{1,16})\s*ms$/.exec(elapsed.value)?.[1];
  if (elapsed !== undefined && elapsedMs === undefined) return parseError(COMMAND, elapsed.line, `Time elapsed must read like '6012 ms', got ${excerpt(elapsed.value)}`);
  const operation = fields.value.get('Operation')?.value;
  const bytes: { processedBytes?: number; remainingBytes?: number; totalBytes?: number } = {};
  if (processed.ok && processed.value !== undefined) bytes.processedBytes = processed.value;
  if (remaining.ok && remaining.value !== undefined) bytes.remainingBytes = remaining.value;
  if (total.ok && total.value !== undefined) bytes.totalBytes = total.value;
  const job: DomainJob = {
    type: type.value,
    ...(operation === undefined ? {} : { operation }),
    ...(elapsedMs === undefined ? {} : { elapsedMs: Number(elapsedMs) }),
    ...bytes,
  };
  return parsed(job);
}

/** How far a job is (0..1), from what is done against what is left; undefined when it does not say. */
export function jobFraction(job: DomainJob): number | undefined {
  const done = job.processedBytes;
  const left = job.remainingBytes;
  if (done !== undefined && left !== undefined && done + left > 0) return Math.min(1, done / (done + left));
  const total = job.totalBytes;
  if (done !== undefined && total !== undefined && total > 0) return Math.min(1, done / total);
  return undefined;
}
