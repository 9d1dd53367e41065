/**
 * How fast the plan checker verifies a datacenter-scale plan. For two TDSC instances (5,000 nodes,
 * 30,000 VMs, 15,000 to 18,000 constraints), builds a plan that keeps the instance's constraints
 * where it can (not timed):
 * - the online nodes that must end offline (`offline`) are evacuated, then shut down;
 * - a few thousand more running VMs migrate, each to a node of its `among` group that hosts none
 *   of its `spread` mates (nor will), with room for it;
 * - the ready VMs that must run (`running`) are booted the same way;
 * - the VMs that must be given more of a resource (`preserve`) get an Allocate when their host has
 *   room.
 * Room is booked without ever freeing a source, so every instant fits whatever the timing. Then
 * times `checkPlan` routed (best of 5, after a warm-up) and unrouted (once: it is the slow
 * reference), checks both reports are the same, and samples the heap. The replay alone (no
 * checks) is timed too: the checker's own cost is the difference. A third case breaks 50 spreads
 * on purpose, to time the interval rule's state tests (violations open to the end).
 *
 * Run: `FERRY_BENCH=check npx vite-node test/bench/check.ts`, or import `benchCheck`.
 */
import { join } from 'node:path';

import { formatFileError, readInstanceFile } from '../../main/node/instance-file.js';
import { type PlanCheckReport, checkPlan } from '../../src/checker/plan-checker.js';
import type { Instance } from '../../src/instance/instance.js';
import type { NodeId, VmId } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import type { Plan } from '../../src/plan/plan.js';
import { replay } from '../../src/plan/replay.js';

export type Row = Record<string, string | number>;

const TDSC_DIR = process.env['FERRY_BENCH_DIR'] ?? '/work/shared/bench/btrplace-tdsc';
/** instance, and how many migrations break a spread on purpose (violations open to the end) */
const CASES: readonly [string, number][] = [
  ['li-r6-c100', 0],
  ['nr-r6-c100', 0],
  ['li-r6-c100', 50],
];
/** migrations besides the evacuations */
const MOVES = 3000;
const MB = 1024 * 1024;
/** timed runs of the routed checker (best kept), after one warm-up */
const ROUTED_RUNS = 5;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Built {
  readonly plan: Plan;
  readonly migrations: number;
  readonly boots: number;
  readonly allocations: number;
  readonly shutdowns: number;
}

/** A plan over the instance that keeps its constraints where it can (see the module comment). */
export function buildPlan(instance: Instance, seed = 1, broken = 0): Built {
  const model = instance.model;
  const map = model.mapping;
  const random = rng(seed);
  const resources = [...model.resources.values()];
  const nodes = [...map.nodes()];

  // spread mates and among groups of each VM
  const spreadsOf = new Map<VmId, VmId[][]>();
  const groupsOf = new Map<VmId, { parts: NodeId[][]; vms: VmId[] }>();
  const offline = new Set<NodeId>();
  const mustRun: VmId[] = [];
  const preserves: { vm: VmId; rc: string; amount: number }[] = [];
  for (const c of instance.constraints) {
    const args = c.args as Record<string, unknown>;
    if (c.id === 'spread') for (const vm of args['vms'] as VmId[]) spreadsOf.set(vm, [...(spreadsOf.get(vm) ?? []), args['vms'] as VmId[]]);
    else if (c.id === 'among') for (const vm of args['vms'] as VmId[]) groupsOf.set(vm, { parts: args['parts'] as NodeId[][], vms: args['vms'] as VmId[] });
    else if (c.id === 'offline') offline.add(args['node'] as NodeId);
    else if (c.id === 'running') mustRun.push(args['vm'] as VmId);
    else if (c.id === 'preserve') preserves.push({ vm: args['vm'] as VmId, rc: args['rc'] as string, amount: args['amount'] as number });
  }

  // room left per node and resource, booked without freeing (see the module comment)
  const free = new Map<NodeId, number[]>();
  for (const n of nodes) {
    free.set(
      n,
      resources.map((r) => (map.isOnline(n) ? r.capacity(n) - r.sumConsumption(map.runningVMs(n)) : 0)),
    );
  }
  const fits = (vm: VmId, n: NodeId): boolean => resources.every((r, i) => (free.get(n)?.[i] ?? 0) >= r.consumption(vm));
  const book = (vm: VmId, n: NodeId): void => {
    const f = free.get(n);
    if (f) resources.forEach((r, i) => (f[i] = (f[i] ?? 0) - r.consumption(vm)));
  };
  // nodes a spread set uses or will use
  const spreadNodes = new Map<VmId[], Set<NodeId>>();
  const usedBy = (set: VmId[]): Set<NodeId> => {
    let s = spreadNodes.get(set);
    if (!s) {
      s = new Set();
      for (const vm of set) {
        const h = map.host(vm);
        if (h !== undefined) s.add(h);
      }
      spreadNodes.set(set, s);
    }
    return s;
  };
  const candidates = nodes.filter((n) => map.isOnline(n) && !offline.has(n));
  const destination = (vm: VmId, current: NodeId | undefined): NodeId | undefined => {
    // the group of the among's running VMs (a booted VM joins them)
    const among = groupsOf.get(vm);
    const inGroup = current ?? among?.vms.map((v) => (map.isRunning(v) ? map.host(v) : undefined)).find((h) => h !== undefined);
    const group = among && inGroup !== undefined ? among.parts.find((p) => p.includes(inGroup)) : undefined;
    const pool = group ? group.filter((n) => map.isOnline(n) && !offline.has(n)) : candidates;
    for (let tries = 0; tries < 20 && pool.length > 0; tries++) {
      const n = pool[Math.floor(random() * pool.length)] as NodeId;
      if (n === current || !fits(vm, n)) continue;
      if ((spreadsOf.get(vm) ?? []).some((set) => usedBy(set).has(n))) continue;
      return n;
    }
    return undefined;
  };
  const place = (vm: VmId, n: NodeId): void => {
    book(vm, n);
    for (const set of spreadsOf.get(vm) ?? []) usedBy(set).add(n);
  };

  const actions: Action[] = [];
  const busy = new Set<VmId>();
  let toBreak = broken;
  /** a node hosting a spread mate of `vm`, with room for it: migrating there breaks the spread */
  const mateHost = (vm: VmId, from: NodeId): NodeId | undefined => {
    for (const set of spreadsOf.get(vm) ?? []) {
      for (const n of usedBy(set)) if (n !== from && map.isOnline(n) && !offline.has(n) && fits(vm, n)) return n;
    }
    return undefined;
  };
  const migrate = (vm: VmId, from: NodeId, start: number): Action | undefined => {
    const wrong = toBreak > 0 ? mateHost(vm, from) : undefined;
    if (wrong !== undefined) toBreak--;
    const to = wrong ?? destination(vm, from);
    if (to === undefined) return undefined;
    place(vm, to);
    busy.add(vm);
    const a: Action = { kind: 'migrateVM', vm, from, to, start, end: start + 5 + Math.floor(random() * 40) };
    actions.push(a);
    return a;
  };

  // 1. evacuate the nodes that must end offline, then shut them down
  let shutdowns = 0;
  for (const n of offline) {
    if (!map.isOnline(n)) continue;
    let last = 0;
    let evacuated = true;
    for (const vm of [...map.runningVMs(n)]) {
      const a = migrate(vm, n, Math.floor(random() * 120));
      if (a) last = Math.max(last, a.end);
      else evacuated = false;
    }
    if (evacuated && map.sleepingVMs(n).size === 0) {
      actions.push({ kind: 'shutdownNode', node: n, start: last, end: last + 20 });
      shutdowns++;
    }
  }
  const evacuations = actions.length - shutdowns;

  // 2. more migrations
  const running = map.allRunningVMs().filter((vm) => !busy.has(vm));
  let migrations = evacuations;
  for (let i = 0; i < running.length && migrations < evacuations + MOVES; i++) {
    const vm = running[Math.floor(random() * running.length)] as VmId;
    const from = map.host(vm);
    if (busy.has(vm) || from === undefined || offline.has(from)) continue;
    if (migrate(vm, from, Math.floor(random() * 300))) migrations++;
  }

  // 3. boot the ready VMs that must run
  let boots = 0;
  for (const vm of mustRun) {
    if (!map.isReady(vm) || busy.has(vm)) continue;
    const node = destination(vm, undefined);
    if (node === undefined) continue;
    place(vm, node);
    busy.add(vm);
    const start = Math.floor(random() * 300);
    actions.push({ kind: 'bootVM', vm, node, start, end: start + 10 });
    boots++;
  }

  // 4. allocations for the preserves
  let allocations = 0;
  for (const p of preserves) {
    const host = map.host(p.vm);
    const i = resources.findIndex((r) => r.id === p.rc);
    const r = resources[i];
    if (!r || host === undefined || !map.isRunning(p.vm) || busy.has(p.vm) || offline.has(host)) continue;
    const extra = p.amount - r.consumption(p.vm);
    const f = free.get(host);
    if (extra <= 0 || !f || (f[i] ?? 0) < extra) continue;
    f[i] = (f[i] ?? 0) - extra;
    busy.add(p.vm);
    const start = Math.floor(random() * 300);
    actions.push({ kind: 'allocate', vm: p.vm, node: host, rc: p.rc, amount: p.amount, start, end: start + 1 });
    allocations++;
  }
  return { plan: { origin: model, actions }, migrations, boots, allocations, shutdowns };
}

function heapMB(): number {
  return Math.round((process.memoryUsage().heapUsed / MB) * 10) / 10;
}

/** Same violations (rule, interval, message, actions, elements) in the same order. */
function sameReport(a: PlanCheckReport, b: PlanCheckReport): boolean {
  if (a.ok !== b.ok || a.violations.length !== b.violations.length) return false;
  return a.violations.every((v, i) => {
    const w = b.violations[i];
    return (
      w !== undefined &&
      v.constraint === w.constraint &&
      v.rule === w.rule &&
      v.from === w.from &&
      v.to === w.to &&
      v.message === w.message &&
      v.actions.length === w.actions.length &&
      v.actions.every((x, k) => x === w.actions[k]) &&
      v.vms.join() === w.vms.join() &&
      v.nodes.join() === w.nodes.join()
    );
  });
}

export async function benchCheck(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [file, broken] of CASES) {
    const name = broken > 0 ? `${file} (${broken} spreads broken)` : file;
    const read = await readInstanceFile(join(TDSC_DIR, `${file}.json.gz`));
    if (!read.ok) {
      rows.push({ instance: name, error: formatFileError(read.error) });
      continue;
    }
    const instance = read.value;
    const built = buildPlan(instance, 1, broken);
    const heapBefore = heapMB();

    // the replay alone (no observer) is the floor: what the checker adds is routed - replay
    let replayed: ReturnType<typeof replay> | undefined;
    let replayMs = Infinity;
    let routed: PlanCheckReport | undefined;
    let routedMs = Infinity;
    let heapPeak = heapBefore;
    for (let run = 0; run < ROUTED_RUNS + 1; run++) {
      const t0 = performance.now();
      replayed = replay(built.plan);
      const ms0 = performance.now() - t0;
      const t = performance.now();
      routed = checkPlan(instance, built.plan);
      const ms = performance.now() - t;
      heapPeak = Math.max(heapPeak, heapMB());
      if (run > 0) {
        // run 0 warms the JIT up
        replayMs = Math.min(replayMs, ms0);
        routedMs = Math.min(routedMs, ms);
      }
    }
    const t1 = performance.now();
    const unrouted = checkPlan(instance, built.plan, { routing: false });
    const unroutedMs = performance.now() - t1;

    const report = routed as PlanCheckReport;
    const byRule = new Map<string, number>();
    for (const v of report.violations) {
      const kind = v.constraint?.id ?? v.rule;
      byRule.set(kind, (byRule.get(kind) ?? 0) + 1);
    }
    rows.push({
      instance: name,
      nodes: instance.model.mapping.nodeCount(),
      vms: instance.model.mapping.vmCount(),
      constraints: instance.constraints.length,
      actions: built.plan.actions.length,
      migrations: built.migrations,
      'boots/allocs/node shutdowns': `${built.boots}/${built.allocations}/${built.shutdowns}`,
      'replay alone ms': Math.round(replayMs),
      'routed ms': Math.round(routedMs),
      'checker overhead ms': Math.round(routedMs - replayMs),
      'unrouted ms': Math.round(unroutedMs),
      speedup: Math.round((unroutedMs / routedMs) * 10) / 10,
      'same report': sameReport(report, unrouted) ? 'yes' : 'NO',
      violations: [...byRule].map(([k, n]) => `${k}×${n}`).join(' ') || (replayed?.ok ? 'none' : 'replay stopped'),
      'heap before MB': heapBefore,
      'heap peak MB': heapPeak,
    });
    await Promise.resolve();
  }
  return rows;
}

// Printing entry: `FERRY_BENCH=check npx vite-node test/bench/check.ts` (vite-node hides argv).
if (typeof process !== 'undefined' && process.env['FERRY_BENCH'] === 'check') {
  console.table(await benchCheck());
}
