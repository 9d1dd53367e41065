import { MIGRATE, type Problem, SHUTDOWN_NODE } from './problem.js';

/**
 * Lower bounds from the network's cumulatives (a `net` view: every link direction and blocking
 * switch is a pool each migration holds, by its bandwidth, for its whole duration), to combine
 * with bounds.ts by taking the larger value. For the migrations crossing one pool of capacity C:
 * - their last end is at least ⌈Σ bandwidth × duration / C⌉ (energy);
 * - the sum of their ends is at least (a) the best sum of completion times with at most
 *   ⌊C / smallest bandwidth⌋ of them at once, and at most k on a node's link (they all touch that
 *   node; shortest first on parallel slots is optimal), and
 *   (b) Σ_i (the i smallest energies) / C (the i-th to end needs at least that much of the
 *   pool's capacity × time), and (c) the sum of their durations.
 * A node shutting down starts once its departures have ended, so no earlier than their energy
 * through any one pool over its capacity. The MTTR bound adds, over pools whose migration sets
 * are disjoint (chosen greedily, largest gain first), those sums, plus the durations of the other
 * migrations and actions (a shutdown's counted from that earliest start); and
 * separately ½ Σ over the node links' directions of (a), since a migration leaves through its
 * source's link and enters through its destination's, exactly two node-link directions.
 * All ignore ordering and room, so they never exceed what a plan achieves.
 */
export function networkLowerBounds(p: Problem, k: number): { makespan: number; mttr: number } {
  const net = p.network;
  if (!net || p.linkPoolBase < 0) return { makespan: 0, mttr: 0 };
  const first = p.linkPoolBase;
  const end = first + 2 * net.links.length + p.switchPools.size;
  const P = end - first;
  const tasksOf: number[][] = Array.from({ length: P }, () => []);
  const amountOf: number[][] = Array.from({ length: P }, () => []);
  let others = 0;
  let migrationDurations = 0;
  const shutdownOf = new Map<number, number>(); // node index → its shutdown task
  for (let t = 0; t < p.kind.length; t++) {
    const d = p.dur[t] as number;
    if (p.kind[t] !== MIGRATE) {
      if (p.kind[t] === SHUTDOWN_NODE) shutdownOf.set(p.src[t] as number, t);
      else others += d;
      continue;
    }
    migrationDurations += d;
    for (let j = p.demFrom[t] as number; j < (p.demTo[t] as number); j++) {
      const pool = p.demPool[j] as number;
      if (pool < first || pool >= end) continue;
      (tasksOf[pool - first] as number[]).push(t);
      (amountOf[pool - first] as number[]).push(p.demAmt[j] as number);
    }
  }
  let makespan = 0;
  let nodeLinkSpt = 0;
  const gain: { pool: number; value: number }[] = [];
  for (let i = 0; i < P; i++) {
    const tasks = tasksOf[i] as number[];
    const cap = p.cap[first + i] as number;
    if (tasks.length === 0 || !(cap > 0)) continue;
    const amounts = amountOf[i] as number[];
    const ds = tasks.map((t) => p.dur[t] as number);
    let energy = 0;
    let minBw = Infinity;
    let durations = 0;
    const works: number[] = [];
    tasks.forEach((_, j) => {
      const w = (amounts[j] as number) * (ds[j] as number);
      works.push(w);
      energy += w;
      durations += ds[j] as number;
      minBw = Math.min(minBw, amounts[j] as number);
    });
    makespan = Math.max(makespan, Math.ceil(energy / cap - 1e-9));
    // a node link's migrations all touch its node: the per-host cap k applies to them too
    const link = i < 2 * net.links.length ? net.links[i >> 1] : undefined;
    const onNode = link?.element.type === 'node';
    const concurrent = Math.max(1, Math.floor(cap / minBw));
    const slotSpt = sptOnSlots(ds, onNode ? Math.min(k, concurrent) : concurrent);
    works.sort((a, b) => a - b);
    let prefix = 0;
    let fluid = 0;
    for (const w of works) {
      prefix += w;
      fluid += Math.ceil(prefix / cap - 1e-9);
    }
    const sum = Math.max(slotSpt, fluid, durations);
    if (sum > durations) gain.push({ pool: i, value: sum - durations });
    if (onNode) nodeLinkSpt += slotSpt;
  }
  // a node halts once every migration leaving it has ended: no earlier than the energy they put
  // through any one pool, over its capacity
  const drained = new Float64Array(p.nodeIds.length);
  for (let i = 0; i < P; i++) {
    const cap = p.cap[first + i] as number;
    if (!(cap > 0)) continue;
    const leaving = new Map<number, number>();
    (tasksOf[i] as number[]).forEach((t, j) => {
      const src = p.src[t] as number;
      if (shutdownOf.has(src)) leaving.set(src, (leaving.get(src) ?? 0) + ((amountOf[i] as number[])[j] as number) * (p.dur[t] as number));
    });
    for (const [src, energy] of leaving) drained[src] = Math.max(drained[src] as number, Math.ceil(energy / cap - 1e-9));
  }
  for (const [node, t] of shutdownOf) {
    const halt = (drained[node] as number) + (p.dur[t] as number);
    makespan = Math.max(makespan, halt);
    others += halt;
  }
  // disjoint pools add up: take them greedily, largest gain over their durations first
  gain.sort((a, b) => b.value - a.value || a.pool - b.pool);
  const covered = new Uint8Array(p.kind.length);
  let disjoint = migrationDurations;
  for (const g of gain) {
    const tasks = tasksOf[g.pool] as number[];
    if (tasks.some((t) => covered[t] === 1)) continue;
    for (const t of tasks) covered[t] = 1;
    disjoint += g.value;
  }
  const migrations = Math.max(disjoint, Math.ceil(nodeLinkSpt / 2 - 1e-9));
  return { makespan, mttr: others + migrations };
}

/** The least sum of completion times of tasks of durations `ds` on `slots` parallel slots. */
function sptOnSlots(ds: number[], slots: number): number {
  const sorted = [...ds].sort((a, b) => a - b);
  const completion: number[] = [];
  let sum = 0;
  for (let n = 0; n < sorted.length; n++) {
    const c = (sorted[n] as number) + (n >= slots ? (completion[n - slots] as number) : 0);
    completion.push(c);
    sum += c;
  }
  return sum;
}
