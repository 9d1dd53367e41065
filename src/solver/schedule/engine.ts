import type { NodeId, VmId } from '../../model/index.js';
import { buildSuccessors, topologicalOrder } from './graph.js';
import { IntHeap } from './heap.js';
import { bounceObstacle } from './constraints.js';
import { ALLOCATE, BARRIER, BOOT_VM, KILL_VM, MIGRATE, RESUME_VM, SHUTDOWN_VM, SUSPEND_VM, type Problem, type ScheduleFailure, failure } from './problem.js';

/**
 * Event-driven list scheduler over the problem's dependency graph.
 *
 * At each decision time: process every end at that time first (releases free room, successors
 * become ready), then start every ready task, best priority first, whose demands fit every pool
 * right now. Since usage only grows when a task starts, "fits now" means "fits until something
 * else starts", so the schedule never exceeds a capacity. A task that does not fit is parked on
 * the pool that refused it and woken only when that pool gets room back, so the work stays
 * proportional to the number of events, not to (ready tasks × decision times).
 *
 * Priority: the latest finish time first (a Deadline, a noDelay, or the deadline of a successor
 * minus its duration), then the longest remaining chain, then the biggest VM, which shortens the
 * makespan and keeps the sum of end times (MTTR) low.
 *
 * Tasks may wait on each other's room (A goes to N2 while B comes from N2 to N1, both full).
 * Now and then (amortised over the ends) the scheduler looks for such waiting cycles among the
 * parked tasks, and when nothing runs at all it looks at everything that is left. It then
 * bounces the smallest VM of the cycle through a third node that has room now and that its
 * continuous placement constraints accept: two migrations, A → N3 then N3 → N2. When no VM can
 * bounce, it reports the deadlock with the VMs, the nodes and what they wait for.
 */

export interface Bounce {
  readonly vm: VmId;
  readonly via: NodeId;
  /** when the scheduler decided it (the first leg starts then or later) */
  readonly at: number;
}

export interface EngineOutcome {
  readonly ok: true;
  readonly start: number[];
  readonly end: number[];
  readonly bounces: Bounce[];
}

const WAITING = 0;
const QUEUED = 1;
const RUNNING = 2;
const DONE = 3;
const EPS = 1e-9;
/** Non-fitting parked tasks looked past when a pool gets room back (bounded backfilling). */
const WAKE_LOOKAHEAD = 4;

/**
 * How ready tasks are ranked after deadlines: `makespan` = longest remaining chain first, then
 * biggest VM; `mttr` = tasks that others wait for first, then shortest first (shortest
 * processing time, which lowers the sum of end times at the price of a slightly longer plan).
 */
export type Priority = 'makespan' | 'mttr';

export function runSchedule(p: Problem, maxBounces: number, priority: Priority = 'makespan'): EngineOutcome | ScheduleFailure {
  const T0 = p.kind.length;

  // ---- successors, topological order
  const graph = buildSuccessors(T0, p.edgeFrom, p.edgeTo);
  const succStart = graph.start;
  const succ = graph.adj;
  const indeg = graph.indeg;
  const topo = topologicalOrder(graph);
  const order = topo.order;
  if (topo.count < T0) return cycleFailure(p, topo.left);

  // ---- priorities: latest finish (deadlines pulled back along chains) and longest chain
  const lf: number[] = new Array<number>(T0);
  const chain: number[] = new Array<number>(T0);
  for (let i = T0 - 1; i >= 0; i--) {
    const t = order[i] as number;
    let l = p.deadline[t] as number;
    let c = 0;
    for (let j = succStart[t] as number; j < (succStart[t + 1] as number); j++) {
      const s = succ[j] as number;
      const ls = (lf[s] as number) - (p.dur[s] as number);
      if (ls < l) l = ls;
      if ((chain[s] as number) > c) c = chain[s] as number;
    }
    lf[t] = l;
    chain[t] = c + (p.dur[t] as number);
  }
  roomAwareChains(p, order, succStart, succ, chain);
  // a Sync group is started as one: its leader carries the group's most urgent priority
  const groupLeft: number[] = [];
  for (const g of p.syncGroups) {
    groupLeft.push(g.members.length);
    const leader = g.members[0] as number;
    for (const t of g.members) {
      if ((lf[t] as number) < (lf[leader] as number)) lf[leader] = lf[t] as number;
      if ((chain[t] as number) > (chain[leader] as number)) chain[leader] = chain[t] as number;
    }
  }

  // ---- dynamic state (plain arrays: bounces append tasks)
  const state: number[] = new Array<number>(T0).fill(WAITING);
  const predsLeft: number[] = Array.from(indeg);
  const start: number[] = new Array<number>(T0).fill(-1);
  const end: number[] = new Array<number>(T0).fill(-1);
  const nextLeg: number[] = new Array<number>(T0).fill(-1);
  const owner: number[] = Array.from({ length: T0 }, (_, t) => t);
  const wokenFrom: number[] = new Array<number>(T0).fill(-1);
  const parkedOn: number[] = new Array<number>(T0).fill(-1);
  const isLeg: boolean[] = new Array<boolean>(T0).fill(false);
  /** the pool that last refused each task (kept after unparking, for explanations and bounces) */
  const refusedBy: number[] = new Array<number>(T0).fill(-1);
  const N = p.nodeIds.length;
  /** per node: tasks that free room on it when they end, and how many of them run now */
  const departuresFrom: number[][] = Array.from({ length: N }, () => []);
  for (let t = 0; t < T0; t++) if (isDeparture(p.kind[t] as number) && (p.src[t] as number) >= 0) (departuresFrom[p.src[t] as number] as number[]).push(t);
  const runningDepartures = new Int32Array(N);
  let parkedCount = 0;
  const weight = p.weight;
  const cap = p.cap;
  const used = p.used;
  const bounces: Bounce[] = [];
  let total = T0;
  let done = 0;
  let time = 0;

  const shortestFirst = priority === 'mttr';
  const before = (a: number, b: number): boolean => {
    const la = lf[a] as number;
    const lb = lf[b] as number;
    if (la !== lb) return la < lb;
    if (shortestFirst) {
      const da = p.dur[a] as number;
      const db = p.dur[b] as number;
      const blocksA = (chain[a] as number) > da;
      const blocksB = (chain[b] as number) > db;
      if (blocksA !== blocksB) return blocksA;
      if (da !== db) return da < db;
    }
    const ca = chain[a] as number;
    const cb = chain[b] as number;
    if (ca !== cb) return ca > cb;
    const wa = weight[a] as number;
    const wb = weight[b] as number;
    if (wa !== wb) return wa > wb;
    return a < b;
  };
  const ready = new IntHeap(before, Math.max(16, T0));
  const ends = new IntHeap((a, b) => (end[a] as number) < (end[b] as number) || ((end[a] as number) === (end[b] as number) && a < b), Math.max(16, T0));
  const parked: (IntHeap | undefined)[] = [];
  /** pools that may hold parked tasks (compacted when scanned) */
  let parkedPools: number[] = [];
  const listed = new Uint8Array(cap.length);
  /** Drops the pools whose heaps are empty from `parkedPools`. */
  const compactParkedPools = (): void => {
    parkedPools = parkedPools.filter((pool) => {
      if ((parked[pool]?.size ?? 0) > 0) return true;
      listed[pool] = 0;
      return false;
    });
  };
  const recheck: number[] = [];
  const inRecheck = new Uint8Array(cap.length);

  const membersOf = (t: number): readonly number[] => {
    const g = p.syncOf[t] as number;
    return g >= 0 ? (p.syncGroups[g] as { members: number[] }).members : [t];
  };
  const demandOn = (t: number, pool: number): number => {
    let s = 0;
    for (const m of membersOf(t)) for (let j = p.demFrom[m] as number; j < (p.demTo[m] as number); j++) if (p.demPool[j] === pool) s += p.demAmt[j] as number;
    return s;
  };
  const addRecheck = (pool: number): void => {
    if (inRecheck[pool]) return;
    inRecheck[pool] = 1;
    recheck.push(pool);
  };
  const makeReady = (t: number): void => {
    const g = p.syncOf[t] as number;
    state[t] = QUEUED;
    if (g >= 0) {
      groupLeft[g] = (groupLeft[g] as number) - 1;
      if (groupLeft[g] !== 0) return;
      ready.push((p.syncGroups[g] as { members: number[] }).members[0] as number);
      return;
    }
    ready.push(t);
  };
  const park = (t: number, pool: number): void => {
    parkedCount++;
    refusedBy[t] = pool;
    let h = parked[pool];
    if (!h) {
      h = new IntHeap(before, 8);
      parked[pool] = h;
    }
    if (listed[pool] === 0) {
      listed[pool] = 1;
      parkedPools.push(pool);
    }
    h.push(t);
    parkedOn[t] = pool;
  };

  const undoPool: number[] = [];
  const undoAmt: number[] = [];
  const tryStart = (t: number, time: number): void => {
    if (state[t] !== QUEUED) return;
    const members = membersOf(t);
    undoPool.length = 0;
    undoAmt.length = 0;
    let refused = -1;
    outer: for (const m of members) {
      for (let j = p.demFrom[m] as number; j < (p.demTo[m] as number); j++) {
        const pool = p.demPool[j] as number;
        const a = p.demAmt[j] as number;
        if ((used[pool] as number) + a > (cap[pool] as number) + EPS) {
          refused = pool;
          break outer;
        }
        used[pool] = (used[pool] as number) + a;
        undoPool.push(pool);
        undoAmt.push(a);
      }
    }
    if (refused >= 0) {
      for (let i = 0; i < undoPool.length; i++) used[undoPool[i] as number] = (used[undoPool[i] as number] as number) - (undoAmt[i] as number);
      const from = wokenFrom[t] as number;
      if (from >= 0 && from !== refused) addRecheck(from);
      wokenFrom[t] = -1;
      park(t, refused);
      return;
    }
    wokenFrom[t] = -1;
    parkedOn[t] = -1;
    const group = p.syncOf[t] as number;
    let longest = 0;
    for (const m of members) if ((p.dur[m] as number) > longest) longest = p.dur[m] as number;
    const postCopy = group >= 0 && (p.syncGroups[group] as { postCopy: boolean }).postCopy;
    for (const m of members) {
      const d = p.dur[m] as number;
      // Sync (pre-copy): every migration ends at time + longest; its room is booked from `time`.
      const s = group >= 0 && !postCopy ? time + longest - d : time;
      start[m] = s;
      end[m] = s + d;
      state[m] = RUNNING;
      const src = p.src[m] as number;
      if (src >= 0 && isDeparture(p.kind[m] as number)) runningDepartures[src] = (runningDepartures[src] as number) + 1;
      ends.push(m);
    }
  };

  const wake = (pool: number): void => {
    const h = parked[pool];
    if (!h || h.size === 0) return;
    let free = (cap[pool] as number) - (used[pool] as number);
    const skipped: number[] = [];
    while (h.size > 0 && free > EPS && skipped.length < WAKE_LOOKAHEAD) {
      const t = h.pop();
      if (parkedOn[t] !== pool) continue; // stale entry: the task left this pool (bounced, swept)
      const d = demandOn(t, pool);
      if (d <= free + EPS) {
        free -= d;
        parkedOn[t] = -1;
        parkedCount--;
        wokenFrom[t] = pool;
        ready.push(t);
      } else {
        skipped.push(t);
      }
    }
    for (const t of skipped) h.push(t);
  };

  const startPhase = (time: number): void => {
    for (;;) {
      while (ready.size > 0) tryStart(ready.pop(), time);
      if (recheck.length === 0) return;
      const pools = recheck.splice(0, recheck.length);
      for (const pool of pools) {
        inRecheck[pool] = 0;
        wake(pool);
      }
      if (ready.size === 0) return;
    }
  };

  const complete = (x: number): void => {
    state[x] = DONE;
    done++;
    const src = p.src[x] as number;
    if (src >= 0 && isDeparture(p.kind[x] as number)) runningDepartures[src] = (runningDepartures[src] as number) - 1;
    for (let j = p.relFrom[x] as number; j < (p.relTo[x] as number); j++) {
      const pool = p.relPool[j] as number;
      used[pool] = (used[pool] as number) - (p.relAmt[j] as number);
      addRecheck(pool);
    }
    const leg = nextLeg[x] as number;
    if (leg >= 0) {
      predsLeft[leg] = 0;
      makeReady(leg);
      return;
    }
    const o = owner[x] as number;
    if (o >= T0) return;
    for (let j = succStart[o] as number; j < (succStart[o + 1] as number); j++) {
      const s = succ[j] as number;
      predsLeft[s] = (predsLeft[s] as number) - 1;
      if (predsLeft[s] === 0) makeReady(s);
    }
  };

  /** Every parked task, removed from its pool (stale entries dropped). */
  const unparkAll = (): number[] => {
    const all: number[] = [];
    for (const pool of parkedPools) {
      parked[pool]?.drain((t) => {
        if (parkedOn[t] !== pool) return;
        parkedOn[t] = -1;
        all.push(t);
      });
    }
    parkedCount = 0;
    return all;
  };

  /**
   * Nodes whose arrivals wait for room that can never come while the others are blocked: a
   * node can make progress if one of its departures runs, or may start once its predecessors
   * or a migration slot allow, or waits for room on a node that can make progress. The nodes
   * left over form waiting cycles (A waits for B's room, B for A's); bouncing one of their
   * migrations breaks the cycle now rather than when everything else has finished.
   */
  const seen = new Int32Array(N).fill(-1);
  const progress = new Uint8Array(N);
  let epoch = 0;
  const localCycleBounce = (): boolean => {
    if (p.R === 0 || bounces.length >= maxBounces) return false;
    compactParkedPools();
    epoch++;
    const explore: number[] = [];
    const visit = (node: number): void => {
      if (seen[node] === epoch) return;
      seen[node] = epoch;
      progress[node] = 0;
      explore.push(node);
    };
    for (const pool of parkedPools) {
      if (pool >= p.slotBase || (parked[pool]?.size ?? 0) === 0) continue;
      visit(Math.floor(pool / p.R));
    }
    if (explore.length === 0) return false;
    const waitsOn = new Map<number, number[]>(); // node with room → nodes whose departures wait for it
    const seeds: number[] = [];
    for (let i = 0; i < explore.length; i++) {
      const node = explore[i] as number;
      let free = (runningDepartures[node] as number) > 0;
      for (const d of departuresFrom[node] as number[]) {
        if (free) break;
        const st = state[d] as number;
        if (st === DONE || st === RUNNING) continue;
        const pool = parkedOn[d] as number;
        if (st === WAITING || pool < 0 || pool >= p.slotBase) {
          free = true;
          break;
        }
        const other = Math.floor(pool / p.R);
        const list = waitsOn.get(other);
        if (list) list.push(node);
        else waitsOn.set(other, [node]);
        visit(other);
      }
      if (free) seeds.push(node);
    }
    for (let i = 0; i < seeds.length; i++) {
      const node = seeds[i] as number;
      if (progress[node] === 1) continue;
      progress[node] = 1;
      for (const w of waitsOn.get(node) ?? []) if (progress[w] === 0) seeds.push(w);
    }
    const candidates: number[] = [];
    for (const pool of parkedPools) {
      if (pool >= p.slotBase) continue;
      const node = Math.floor(pool / p.R);
      if (seen[node] !== epoch || progress[node] === 1) continue;
      parked[pool]?.forEach((t) => {
        if (parkedOn[t] !== pool || p.kind[t] !== MIGRATE || (p.syncOf[t] as number) >= 0 || isLeg[t]) return;
        const src = p.src[t] as number;
        if (seen[src] === epoch && progress[src] === 0) candidates.push(t);
      });
    }
    candidates.sort((a, b) => (weight[a] as number) - (weight[b] as number) || a - b);
    for (const t of candidates) {
      const via = pickBounceNode(p, t);
      if (via < 0) continue;
      parkedOn[t] = -1;
      parkedCount--;
      applyBounce(t, via);
      ready.push(t);
      return true;
    }
    return false;
  };

  /** Reroutes migration `t` through node index `via`: t becomes src → via, a new leg via → dst. */
  const applyBounce = (t: number, via: number): void => {
    const vm = p.vm[t] as number;
    const leg = p.bounce(t, via);
    state.push(WAITING);
    predsLeft.push(1);
    start.push(-1);
    end.push(-1);
    nextLeg.push(-1);
    owner.push(owner[t] as number);
    wokenFrom.push(-1);
    parkedOn.push(-1);
    refusedBy.push(-1);
    isLeg.push(true);
    lf.push(lf[t] as number);
    chain.push(chain[t] as number);
    lf[t] = (lf[t] as number) - (p.dur[t] as number);
    chain[t] = (chain[t] as number) + (p.dur[t] as number);
    nextLeg[t] = leg;
    isLeg[t] = true;
    (departuresFrom[via] as number[]).push(leg);
    total++;
    bounces.push({ vm, via: p.nodeIds[via] as NodeId, at: time });
    p.viaOf.set(vm, p.nodeIds[via] as NodeId);
  };

  /** At a global stall: bounce the smallest blocked migration that waits for room on its destination. */
  const bounce = (blocked: readonly number[]): boolean => {
    if (bounces.length >= maxBounces) return false;
    const candidates = blocked.filter((t) => {
      if (p.kind[t] !== MIGRATE || (p.syncOf[t] as number) >= 0 || isLeg[t]) return false;
      const pool = refusedBy[t] as number;
      return p.isNodeResourcePool(pool) && p.poolNode(pool) === p.nodeIds[p.dst[t] as number];
    });
    candidates.sort((a, b) => (weight[a] as number) - (weight[b] as number) || a - b);
    for (const t of candidates) {
      const via = pickBounceNode(p, t);
      if (via < 0) continue;
      applyBounce(t, via);
      return true;
    }
    return false;
  };

  // ---- main loop
  for (let t = 0; t < T0; t++) if (predsLeft[t] === 0) makeReady(t);
  let lastCycleCheck = -1;
  for (;;) {
    startPhase(time);
    // Look for waiting cycles now and then (amortised: after a share of the parked tasks' worth of ends).
    if (ends.size > 0 && parkedCount > 0 && (lastCycleCheck < 0 || done - lastCycleCheck >= Math.max(8, parkedCount >> 2))) {
      lastCycleCheck = done;
      while (localCycleBounce()) startPhase(time);
    }
    if (ends.size === 0) {
      if (done === total) break;
      // Nothing runs: retry every parked task once (the wake-up heuristics may have missed one),
      // then bounce a VM, else give up.
      const blocked = unparkAll();
      for (const t of blocked) ready.push(t);
      startPhase(time);
      if (ends.size > 0) continue;
      const stillBlocked = unparkAll();
      if (bounce(stillBlocked)) {
        for (const t of stillBlocked) ready.push(t);
        continue;
      }
      return deadlockFailure(p, stillBlocked, refusedBy, state, time);
    }
    time = end[ends.peek()] as number;
    while (ends.size > 0 && end[ends.peek()] === time) complete(ends.pop());
  }
  return { ok: true, start, end, bounces };
}

/** The node with room now for `t`'s VM, acceptable to its constraints, with the most room left. */
function isDeparture(kind: number): boolean {
  return kind === MIGRATE || kind === SHUTDOWN_VM || kind === SUSPEND_VM || kind === KILL_VM;
}

function pickBounceNode(p: Problem, t: number): number {
  const vm = p.vm[t] as number;
  if (p.bounceRules.get(vm)?.some((r) => r.kind === 'never')) return -1;
  const cons = p.consBefore(vm);
  const a = p.src[t] as number;
  const b = p.dst[t] as number;
  let best = -1;
  let bestRoom = -Infinity;
  for (let c = 0; c < p.nodeIds.length; c++) {
    if (c === a || c === b || !p.originOnline[c] || !p.finalOnline[c]) continue;
    if ((p.used[p.slotPool(c)] as number) >= (p.cap[p.slotPool(c)] as number)) continue;
    let fits = true;
    for (let r = 0; r < p.R && fits; r++) {
      const pool = p.nodePool(c, r);
      if ((p.used[pool] as number) + (cons[r] as number) > (p.cap[pool] as number) + EPS) fits = false;
    }
    for (const g of p.groupsOfNode.get(c) ?? []) {
      if (g.rc >= 0 && (p.used[g.pool] as number) + (cons[g.rc] as number) > (p.cap[g.pool] as number) + EPS) fits = false;
    }
    if (!fits) continue;
    if (bounceObstacle(p, vm, p.nodeIds[c] as NodeId) !== undefined) continue;
    if (p.network && !(p.canMigrate(vm, a, c) && p.canMigrate(vm, c, b))) continue;
    const wr = p.weightRc >= 0 ? p.weightRc : 0;
    const room = p.R > 0 ? (p.cap[p.nodePool(c, wr)] as number) - (p.used[p.nodePool(c, wr)] as number) : 0;
    if (room > bestRoom) {
      bestRoom = room;
      best = c;
    }
  }
  return best;
}

function deadlockFailure(p: Problem, blocked: readonly number[], parkedOn: readonly number[], state: readonly number[], time: number): ScheduleFailure {
  const vms: VmId[] = [];
  const nodes: NodeId[] = [];
  const lines: string[] = [];
  for (const t of blocked) {
    if (p.kind[t] === BARRIER) continue;
    const pool = parkedOn[t] as number;
    if (lines.length < 6) lines.push(`${p.describeTask(t)} waits for ${p.poolLabel(pool)} (${p.used[pool]} of ${p.cap[pool]} in use)`);
    const vm = p.vm[t] as number;
    if (vm >= 0) vms.push(vm);
    const node = p.poolNode(pool);
    if (node !== undefined) nodes.push(node);
  }
  if (lines.length === 0) {
    for (let t = 0; t < state.length; t++) {
      if (state[t] === DONE || p.kind[t] === BARRIER) continue;
      if (lines.length < 6) lines.push(p.describeTask(t));
      const vm = p.vm[t] as number;
      if (vm >= 0) vms.push(vm);
    }
    return failure(`no order exists from ${time} s: these actions wait for each other (ordering constraints) — ${lines.join('; ')}`, vms, nodes);
  }
  const more = blocked.length > lines.length ? ` (and ${blocked.length - lines.length} more)` : '';
  return failure(
    `capacity deadlock at ${time} s: ${lines.join('; ')}${more}. Each waits for room another one would free, and no third node can host one of them temporarily (or its constraints forbid it)`,
    vms,
    nodes,
  );
}

function cycleFailure(p: Problem, left: Int32Array): ScheduleFailure {
  // Every task still blocked has a blocked predecessor: walk backwards until one repeats.
  const T = left.length;
  const predOf = new Int32Array(T).fill(-1);
  for (let e = 0; e < p.edgeFrom.length; e++) {
    const from = p.edgeFrom[e] as number;
    const to = p.edgeTo[e] as number;
    if ((left[from] as number) > 0 && (left[to] as number) > 0) predOf[to] = from;
  }
  let u = -1;
  for (let t = 0; t < T && u < 0; t++) if ((left[t] as number) > 0) u = t;
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (u >= 0 && !seenAt.has(u)) {
    seenAt.set(u, path.length);
    path.push(u);
    u = predOf[u] as number;
  }
  const cycle = (u >= 0 ? path.slice(seenAt.get(u)) : path).reverse();
  const shown = cycle.filter((t) => p.kind[t] !== BARRIER);
  const vms = shown.map((t) => p.vm[t] as number).filter((v) => v >= 0);
  return failure(
    `the ordering constraints form a cycle, so no order exists: ${shown.map((t) => p.describeTask(t)).join(' → ')} → back to the first (e.g. a continuous spread or lonely swap needs a temporary third node, or Precedence/seq lists contradict each other)`,
    vms,
  );
}

/**
 * Stretches the chain lengths with the waits that room creates: on a node that cannot take all
 * its arrivals at t=0, the arrivals (softly) wait for the departures, so a departure from such a
 * node inherits the chain of the arrivals it makes room for. Freeing the nodes others wait on
 * first is what shortens tight plans. A few relaxation passes bound the effect of cycles.
 */
function roomAwareChains(p: Problem, order: Int32Array, succStart: Int32Array, succ: Int32Array, chain: number[]): void {
  const N = p.nodeIds.length;
  const T = order.length;
  const incoming = new Float64Array(p.slotBase);
  const isArrival = (k: number): boolean => k === MIGRATE || k === BOOT_VM || k === RESUME_VM || k === ALLOCATE;
  for (let t = 0; t < T; t++) {
    if (!isArrival(p.kind[t] as number)) continue;
    for (let j = p.demFrom[t] as number; j < (p.demTo[t] as number); j++) {
      const pool = p.demPool[j] as number;
      if (pool < p.slotBase) incoming[pool] = (incoming[pool] as number) + (p.demAmt[j] as number);
    }
  }
  const needy = new Uint8Array(N);
  let any = false;
  for (let pool = 0; pool < p.slotBase; pool++) {
    if ((p.used[pool] as number) + (incoming[pool] as number) > (p.cap[pool] as number) + EPS) {
      needy[Math.floor(pool / p.R)] = 1;
      any = true;
    }
  }
  if (!any) return;
  const arrivalChain = new Float64Array(N);
  for (let pass = 0; pass < 6; pass++) {
    arrivalChain.fill(0);
    for (let t = 0; t < T; t++) {
      const dst = p.dst[t] as number;
      if (dst >= 0 && isArrival(p.kind[t] as number) && (chain[t] as number) > (arrivalChain[dst] as number)) arrivalChain[dst] = chain[t] as number;
    }
    let changed = false;
    for (let i = T - 1; i >= 0; i--) {
      const t = order[i] as number;
      let c = 0;
      for (let j = succStart[t] as number; j < (succStart[t + 1] as number); j++) {
        const s = succ[j] as number;
        if ((chain[s] as number) > c) c = chain[s] as number;
      }
      const src = p.src[t] as number;
      if (src >= 0 && needy[src] === 1 && isDeparture(p.kind[t] as number) && (arrivalChain[src] as number) > c) c = arrivalChain[src] as number;
      const v = c + (p.dur[t] as number);
      if (v > (chain[t] as number)) {
        chain[t] = v;
        changed = true;
      }
    }
    if (!changed) return;
  }
}
