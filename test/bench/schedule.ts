/**
 * How fast the scheduler turns a target into a timed plan on large clusters. Each scenario builds
 * an origin model and a feasible target (not timed), then times `schedule()` (best of `repeats`
 * runs after one warm-up), once per `priority`. Migration durations vary from 1 to 30 s per VM,
 * the per-host cap is 2.
 *
 * Run: `FERRY_BENCH=schedule npx vite-node test/bench/schedule.ts`, or import `benchSchedule`.
 */
import { Model, type NodeId, type NodeState, ShareableResource, type VmId, type VmState } from '../../src/model/index.js';
import { type Priority, schedule } from '../../src/solver/schedule/index.js';
import type { Target } from '../../src/solver/target.js';
import { Random } from '../../src/solver/random.js';

export interface Row {
  readonly scenario: string;
  /** the `priority` option: what the order favours */
  readonly priority: Priority;
  readonly nodes: number;
  readonly vms: number;
  readonly migrations: number;
  /** other actions: node boots/shutdowns, VM boots, allocations */
  readonly otherActions: number;
  /** best wall time of schedule(), milliseconds */
  readonly ms: number;
  readonly makespan: number;
  readonly makespanLowerBound: number;
  readonly mttr: number;
  readonly mttrLowerBound: number;
  readonly bounces: number;
  readonly error?: string;
}

/** Deterministic numbers in [0, 1) from a seed, so a failing seed reproduces the instance. */
function rng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

interface Scenario {
  readonly name: string;
  readonly origin: Model;
  readonly target: Target;
}

/**
 * `nodes` hosts with 64 cpu / 256 mem, `vmsPerNode` VMs each (1-4 cpu, 4-16 mem, load ≈ `load`),
 * `moves` VMs moved to random hosts with room at the end, `drain` hosts emptied and switched off.
 */
export function cluster(opts: { nodes: number; vmsPerNode: number; moves: number; drain: number; seed: number; tight?: boolean }): Scenario {
  const r = rng(opts.seed);
  const model = new Model();
  const cpu = new ShareableResource('cpu', 64, 0);
  const mem = new ShareableResource('mem', 256, 0);
  model.addResource(cpu).addResource(mem);
  const useCpu = new Float64Array(opts.nodes);
  const useMem = new Float64Array(opts.nodes);
  let vm = 0;
  const hostOf: number[] = [];
  for (let n = 0; n < opts.nodes; n++) {
    model.mapping.addOnlineNode(n);
    for (let i = 0; i < opts.vmsPerNode; i++) {
      const c = 1 + Math.floor(r() * 4);
      const m = opts.tight ? 20 + Math.floor(r() * 5) : 4 + Math.floor(r() * 13);
      if (useCpu[n]! + c > 64 || useMem[n]! + m > 256) continue;
      cpu.setConsumption(vm, c);
      mem.setConsumption(vm, m);
      model.mapping.addRunningVM(vm, n);
      model.attributes.put('vm', vm, 'migrate', 1 + Math.floor(r() * 30));
      useCpu[n] = useCpu[n]! + c;
      useMem[n] = useMem[n]! + m;
      hostOf.push(n);
      vm++;
    }
  }
  const vms = new Map<VmId, { state: VmState; host: NodeId | null }>();
  const nodes = new Map<NodeId, NodeState>();
  const finalCpu = Float64Array.from(useCpu);
  const finalMem = Float64Array.from(useMem);
  const drained = new Set<number>();
  for (let d = 0; d < opts.drain; d++) drained.add(Math.floor(r() * opts.nodes));
  for (const n of drained) nodes.set(n, 'offline');
  const place = (v: number): boolean => {
    const c = cpu.consumption(v);
    const m = mem.consumption(v);
    for (let tries = 0; tries < 200; tries++) {
      const n = Math.floor(r() * opts.nodes);
      if (n === hostOf[v] || drained.has(n)) continue;
      if (finalCpu[n]! + c > 64 || finalMem[n]! + m > 256) continue;
      finalCpu[n] = finalCpu[n]! + c;
      finalMem[n] = finalMem[n]! + m;
      const from = hostOf[v] as number;
      finalCpu[from] = finalCpu[from]! - c;
      finalMem[from] = finalMem[from]! - m;
      vms.set(v, { state: 'running', host: n });
      return true;
    }
    return false;
  };
  for (const n of drained) for (const v of [...model.mapping.runningVMs(n)]) if (!place(v)) vms.set(v, { state: 'ready', host: null });
  let moved = vms.size;
  for (let guard = 0; moved < opts.moves && guard < opts.moves * 20; guard++) {
    const v = Math.floor(r() * vm);
    if (vms.has(v)) continue;
    if (place(v)) moved++;
  }
  const name = `${opts.nodes} nodes, ${vm} VMs, ${opts.moves} moves${opts.drain ? `, ${opts.drain} drains` : ''}${opts.tight ? ' (tight memory)' : ''}`;
  return { name, origin: model, target: { vms, nodes, consumption: new Map() } };
}

function now(): number {
  return performance.now();
}

export async function benchSchedule(repeats = 2): Promise<Row[]> {
  const scenarios: Scenario[] = [
    cluster({ nodes: 1_000, vmsPerNode: 10, moves: 1_000, drain: 0, seed: 1 }),
    cluster({ nodes: 10_000, vmsPerNode: 10, moves: 10_000, drain: 0, seed: 2 }),
    cluster({ nodes: 10_000, vmsPerNode: 10, moves: 10_000, drain: 200, seed: 3 }),
    cluster({ nodes: 10_000, vmsPerNode: 11, moves: 10_000, drain: 0, seed: 4, tight: true }),
    cluster({ nodes: 5_000, vmsPerNode: 6, moves: 30_000, drain: 0, seed: 5 }),
  ];
  const rows: Row[] = [];
  for (const s of scenarios) for (const priority of ['makespan', 'mttr'] as const) {
    const options = { maxConcurrentMigrationsPerHost: 2, priority };
    const vms = s.origin.mapping.vmCount();
    const nodes = s.origin.mapping.nodeCount();
    let best = Infinity;
    let last: ReturnType<typeof schedule> | undefined;
    for (let i = 0; i <= repeats; i++) {
      const t0 = now();
      last = schedule(s.origin, s.target, [], options);
      const ms = now() - t0;
      if (i > 0 && ms < best) best = ms; // run 0 warms the JIT up
    }
    if (!last || !last.ok) {
      rows.push({ scenario: priority === 'makespan' ? s.name : `${s.name} [priority mttr]`, priority, nodes, vms, migrations: 0, otherActions: 0, ms: best, makespan: 0, makespanLowerBound: 0, mttr: 0, mttrLowerBound: 0, bounces: 0, error: last && !last.ok ? last.reason : 'no run' });
      continue;
    }
    const st = last.stats;
    rows.push({
      scenario: priority === 'makespan' ? s.name : `${s.name} [priority mttr]`,
      priority,
      nodes,
      vms,
      migrations: st.migrations,
      otherActions: st.actions - st.migrations,
      ms: Math.round(best * 10) / 10,
      makespan: st.makespan,
      makespanLowerBound: st.durationLowerBound,
      mttr: st.mttr,
      mttrLowerBound: st.mttrLowerBound,
      bounces: st.bounces.length,
    });
    await Promise.resolve();
  }
  return rows;
}

// Printing entry: `FERRY_BENCH=schedule npx vite-node test/bench/schedule.ts` (vite-node hides argv).
if (typeof process !== 'undefined' && process.env['FERRY_BENCH'] === 'schedule') {
  console.table(await benchSchedule());
}
