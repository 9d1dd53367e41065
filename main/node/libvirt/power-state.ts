/**
 * The hosts Ferry powered off, with the capacity they had, kept on disk (one small JSON file per
 * cluster in the data directory). A host off on purpose reads as an offline node whose capacity
 * is known, so a plan may boot it again; one that merely went quiet keeps its VMs. Kept only in
 * memory, a restart (or a resume after a crash) would know the host as never read: offline with
 * no capacity, so no plan could power it on to make room.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the power state of the cluster described by `configFile` is kept under `stateDir`. */
export function powerStateFile(stateDir: string, configFile: string): string {
  const absolute = path.resolve(configFile);
  const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  const base = path.basename(absolute).replace(/\.ya?ml$/i, '').replace(/[^\w.-]/g, '_');
  return path.join(stateDir, `${base}-${tag}.power.json`);
}

/** What a host could hold when Ferry powered it off (null: it had never been read). */
export interface OffCapacity {
  readonly cpus: number;
  readonly memoryKiB: number;
}

export interface PowerState {
  has(node: string): boolean;
  /** The capacity the host had when it was powered off, when known. */
  capacity(node: string): OffCapacity | null;
  /** Records the host as powered off by Ferry (`off`, with its capacity) or on again (`on`); on disk before it returns. */
  note(node: string, state: 'on' | 'off', capacity?: OffCapacity | null): void;
}

type Entries = Map<string, OffCapacity | null>;

/** In memory, backed by `file` when one is given (missing or unreadable: no host is off). */
export function powerState(file: string | undefined): PowerState {
  const off: Entries = file === undefined ? new Map() : load(file);
  return {
    has: (node) => off.has(node),
    capacity: (node) => off.get(node) ?? null,
    note: (node, state, capacity = null) => {
      if (state === 'on' && !off.has(node)) return;
      if (state === 'off') off.set(node, capacity ?? off.get(node) ?? null);
      else off.delete(node);
      if (file !== undefined) save(file, off);
    },
  };
}

function load(file: string): Entries {
  const entries: Entries = new Map();
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const list = (parsed as { poweredOff?: unknown } | null)?.poweredOff;
    if (!Array.isArray(list)) return entries;
    for (const item of list) {
      const e = item as { node?: unknown; cpus?: unknown; memoryKiB?: unknown } | null;
      if (typeof e?.node !== 'string') continue;
      const known = typeof e.cpus === 'number' && typeof e.memoryKiB === 'number' && e.cpus >= 0 && e.memoryKiB >= 0;
      entries.set(e.node, known ? { cpus: e.cpus as number, memoryKiB: e.memoryKiB as number } : null);
    }
  } catch {
    // no file yet (or an unreadable one): no host is known to be off on purpose
  }
  return entries;
}

/** Temp file + rename: a crash leaves the old list or the new one, never half of one. */
function save(file: string, entries: Entries): void {
  const nodes = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([node, c]) => ({ node, ...(c ?? {}) }));
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify({ poweredOff: nodes }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
