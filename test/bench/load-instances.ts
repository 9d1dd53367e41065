/**
 * How fast the BtrPlace TDSC benchmark instances (5,000 nodes, 15,000 to 30,000 VMs) load:
 * gunzip + UTF-8 decoding, JSON.parse, building the model and the constraints; plus the export
 * back to JSON text. Heap is the growth of the used heap while the instance is held (run node
 * with --expose-gc for steadier numbers).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { readJsonText } from '../../main/node/instance-file.js';
import type { Instance } from '../../src/instance/instance.js';
import { instanceFromJson, instanceToJson } from '../../src/instance/json.js';
import { parseJsonText } from '../../src/json/read.js';

/** The TDSC instances; FERRY_BENCH_DIR points elsewhere. */
export const BENCH_DIR = process.env['FERRY_BENCH_DIR'] ?? '/work/shared/bench/btrplace-tdsc';

export interface Row {
  /** file name */
  readonly name: string;
  /** total load time (wall clock): read + parse + build */
  readonly ms: number;
  /** CPU time (user + system, all threads) of the load: steadier than `ms` on a busy machine */
  readonly cpuMs: number;
  readonly heapMB: number;
  readonly readMs: number;
  readonly parseMs: number;
  readonly buildMs: number;
  /** instanceToJson + JSON.stringify, for reference (not part of the load) */
  readonly exportMs: number;
  readonly nodes: number;
  readonly vms: number;
  readonly constraints: number;
  /** size of the exported JSON text */
  readonly jsonMB: number;
  /** an error, when the file could not be loaded (the other numbers are then 0) */
  readonly error?: string;
}

export function benchFiles(dir = BENCH_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json.gz') || f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export interface BenchOptions {
  readonly dir?: string;
  /** Loads per file; the fastest is kept (a busy machine only ever makes a load slower). Default 1. */
  readonly repeat?: number;
}

export async function benchLoadInstances(options: BenchOptions = {}): Promise<Row[]> {
  const dir = options.dir ?? BENCH_DIR;
  const rows: Row[] = [];
  // One function call per load, so nothing of a file is still referenced from this frame when the
  // next one is measured.
  for (const file of benchFiles(dir)) {
    let best: Row | undefined;
    for (let i = 0; i < Math.max(1, options.repeat ?? 1); i++) {
      const row = await benchOne(file, file.slice(dir.length + 1));
      if (!best || row.error !== undefined || row.ms < best.ms) best = row;
      if (row.error !== undefined) break;
    }
    if (best) rows.push(best);
  }
  return rows;
}

type Loaded = { instance: Instance; readMs: number; parseMs: number; buildMs: number; cpuMs: number } | { error: string };

async function benchOne(file: string, name: string): Promise<Row> {
  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  const loaded = await timedLoad(file);
  if ('error' in loaded) return { name, ms: 0, cpuMs: 0, heapMB: 0, readMs: 0, parseMs: 0, buildMs: 0, exportMs: 0, nodes: 0, vms: 0, constraints: 0, jsonMB: 0, error: loaded.error };
  collect(); // the text and the parsed JSON are gone: what is left is the instance
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const { instance, readMs, parseMs, buildMs, cpuMs } = loaded;
  const t0 = performance.now();
  const exported = JSON.stringify(instanceToJson(instance));
  const exportMs = performance.now() - t0;
  return {
    name,
    ms: round(readMs + parseMs + buildMs),
    cpuMs: round(cpuMs),
    heapMB: round(heapMB),
    readMs: round(readMs),
    parseMs: round(parseMs),
    buildMs: round(buildMs),
    exportMs: round(exportMs),
    nodes: instance.model.mapping.nodeCount(),
    vms: instance.model.mapping.vmCount(),
    constraints: instance.constraints.length,
    jsonMB: round(exported.length / 2 ** 20),
  };
}

/** gunzip + decode, JSON.parse, build: the steps of readInstanceFile, timed one by one. */
async function timedLoad(file: string): Promise<Loaded> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const text = await readJsonText(file);
  if (!text.ok) return { error: text.error.message };
  const t1 = performance.now();
  const parsed = parseJsonText(text.value);
  if (!parsed.ok) return { error: `${parsed.error.line}:${parsed.error.column}: ${parsed.error.message}` };
  const t2 = performance.now();
  const result = instanceFromJson(parsed.value);
  if (!result.ok) return { error: `${result.error.path}: ${result.error.message}` };
  const t3 = performance.now();
  const used = process.cpuUsage(cpu);
  return { instance: result.value, readMs: t1 - t0, parseMs: t2 - t1, buildMs: t3 - t2, cpuMs: (used.user + used.system) / 1000 };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
