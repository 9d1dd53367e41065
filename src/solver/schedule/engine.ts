import type { NodeId, VmId } from '../../model/index.js';
import { type Successors, buildSuccessors, topologicalOrder } from './graph.js';
import { IntHeap } from './heap.js';
import { bounceObstacle } from './constraints.js';
import { ALLOCATE, BARRIER, BOOT_NODE, BOOT_VM, KILL_VM, MIGRATE, RESUME_VM, SHUTDOWN_NODE, SHUTDOWN_VM, SUSPEND_VM, type Problem, type ScheduleFailure, failure } from './problem.js';

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
 *
 * A node the plan boots may be that third node once it is up, and a node that powers off at the
 * end may be one while its shutdown has not started:
 * node shutdowns ready at a decision time start last, after a look for waiting cycles, and a
 * shutdown whose node takes a bounce waits for the VM to leave again. Nodes staying online are
 * preferred; a node in a continuous maxOnline set is used that way only while no boot of that set
 * waits for a shutdown of it (holding its shutdown back may hold back the boot the cycle waits for).
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
  /** VMs the placement leaves in place that stepped aside and came back (two migrations each). */
  readonly steppedAside: VmId[];
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
  const graph = buildSuccessors(p.kind.length, p.edgeFrom, p.edgeTo);
  const topo = topologicalOrder(graph);
  if (topo.count < p.kind.length) return cycleFailure(p, topo.left);
  return new ListScheduler(p, graph, rankTasks(p, graph, topo.order), maxBounces, priority).run();
}

/** How urgent each task is: its latest finish and its longest remaining chain (both grow with bounces). */
interface Ranks {
  readonly lf: number[];
  readonly chain: number[];
}

/**
 * Priorities: the latest finish (deadlines pulled back along chains) and the longest chain
 * (stretched by the waits room creates); a Sync group is started as one, so its leader carries
 * the group's most urgent priority.
 */
function rankTasks(p: Problem, graph: Successors, order: Int32Array): Ranks {
  const T0 = p.kind.length;
  const succStart = graph.start;
  const succ = graph.adj;
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
  for (const g of p.syncGroups) {
    const leader = g.members[0] as number;
    for (const t of g.members) {
      if ((lf[t] as number) < (lf[leader] as number)) lf[leader] = lf[t] as number;
      if ((chain[t] as number) > (chain[leader] as number)) chain[leader] = chain[t] as number;
    }
  }
  return { lf, chain };
}

/**
 * The list scheduler's state over one run (plain arrays: bounces append tasks). Steps: `run` (the
 * event loop), `startPhase` (start what fits, wake parked tasks whose pools got room), `tryStart`
 * (book a task's demands or park it on the pool that refused it), `complete` (release room,
 * successors become ready), `localCycleBounce` / `bounce` (break waiting cycles through a third node).
 */
class ListScheduler {
  private readonly T0: number;
  private readonly succStart: Int32Array;
  private readonly succ: Int32Array;
  private readonly lf: number[];
  private readonly chain: number[];
  /** per Sync group: members not yet ready */
  private readonly groupLeft: number[];
  private readonly state: number[];
  private readonly predsLeft: number[];
  private readonly start: number[];
  private readonly end: number[];
  private readonly nextLeg: number[];
  private readonly owner: number[];
  private readonly wokenFrom: number[];
  private readonly parkedOn: number[];
  private readonly isLeg: boolean[];
  /** the pool that last refused each task (kept after unparking, for explanations and bounces) */
  private readonly refusedBy: number[];
  /** per node: tasks that free room on it when they end, and how many of them run now */
  private readonly departuresFrom: number[][];
  private readonly runningDepartures: Int32Array;
  private parkedCount = 0;
  private readonly weight: readonly number[];
  private readonly cap: readonly number[];
  private readonly used: number[];
  private readonly bounces: Bounce[] = [];
  private readonly steppedAside: VmId[] = [];
  private total: number;
  private done = 0;
  private time = 0;
  private readonly shortestFirst: boolean;
  private readonly ready: IntHeap;
  private readonly ends: IntHeap;
  private readonly parked: (IntHeap | undefined)[] = [];
  /** pools that may hold parked tasks (compacted when scanned) */
  private parkedPools: number[] = [];
  private readonly listed: Uint8Array;
  private readonly recheck: number[] = [];
  private readonly inRecheck: Uint8Array;
  private readonly undoPool: number[] = [];
  private readonly undoAmt: number[] = [];
  // waiting-cycle search (localCycleBounce): per node, the epoch it was seen in and whether it can progress
  private readonly seen: Int32Array;
  private readonly progress: Uint8Array;
  private epoch = 0;
  /** per node index: its shutdown task, or -1 */
  private readonly shutdownOf: Int32Array;
  /** per node index: its boot task, or -1 */
  private readonly bootOf: Int32Array;
  /** node shutdowns ready in the current start phase, started at its end (see the class comment) */
  private readonly heldShutdowns: number[] = [];
  /** successors added while scheduling: a bounce leg out of a node → that node's shutdown */
  private readonly extraSucc = new Map<number, number[]>();

  constructor(
    private readonly p: Problem,
    graph: Successors,
    ranks: Ranks,
    private readonly maxBounces: number,
    priority: Priority,
  ) {
    const T0 = p.kind.length;
    this.T0 = T0;
    this.succStart = graph.start;
    this.succ = graph.adj;
    this.lf = ranks.lf;
    this.chain = ranks.chain;
    this.groupLeft = p.syncGroups.map((g) => g.members.length);
    this.state = new Array<number>(T0).fill(WAITING);
    this.predsLeft = Array.from(graph.indeg);
    this.start = new Array<number>(T0).fill(-1);
    this.end = new Array<number>(T0).fill(-1);
    this.nextLeg = new Array<number>(T0).fill(-1);
    this.owner = Array.from({ length: T0 }, (_, t) => t);
    this.wokenFrom = new Array<number>(T0).fill(-1);
    this.parkedOn = new Array<number>(T0).fill(-1);
    this.isLeg = new Array<boolean>(T0).fill(false);
    this.refusedBy = new Array<number>(T0).fill(-1);
    const N = p.nodeIds.length;
    this.departuresFrom = Array.from({ length: N }, () => []);
    for (let t = 0; t < T0; t++) if (isDeparture(p.kind[t] as number) && (p.src[t] as number) >= 0) (this.departuresFrom[p.src[t] as number] as number[]).push(t);
    this.runningDepartures = new Int32Array(N);
    this.weight = p.weight;
    this.cap = p.cap;
    this.used = p.used;
    this.total = T0;
    this.shortestFirst = priority === 'mttr';
    this.ready = new IntHeap(this.before, Math.max(16, T0));
    const end = this.end;
    this.ends = new IntHeap((a, b) => (end[a] as number) < (end[b] as number) || ((end[a] as number) === (end[b] as number) && a < b), Math.max(16, T0));
    this.listed = new Uint8Array(this.cap.length);
    this.inRecheck = new Uint8Array(this.cap.length);
    this.seen = new Int32Array(N).fill(-1);
    this.progress = new Uint8Array(N);
    this.shutdownOf = new Int32Array(N).fill(-1);
    for (let t = 0; t < T0; t++) if (p.kind[t] === SHUTDOWN_NODE && (p.src[t] as number) >= 0) this.shutdownOf[p.src[t] as number] = t;
    this.bootOf = new Int32Array(N).fill(-1);
    for (let t = 0; t < T0; t++) if (p.kind[t] === BOOT_NODE && (p.dst[t] as number) >= 0) this.bootOf[p.dst[t] as number] = t;
  }

  /** Ready-queue order: latest finish, then (mttr) blocking tasks and shortest first, then longest chain, biggest VM. */
  private readonly before = (a: number, b: number): boolean => {
    const lf = this.lf;
    const la = lf[a] as number;
    const lb = lf[b] as number;
    if (la !== lb) return la < lb;
    const chain = this.chain;
    if (this.shortestFirst) {
      const dur = this.p.dur;
      const da = dur[a] as number;
      const db = dur[b] as number;
      const blocksA = (chain[a] as number) > da;
      const blocksB = (chain[b] as number) > db;
      if (blocksA !== blocksB) return blocksA;
      if (da !== db) return da < db;
    }
    const ca = chain[a] as number;
    const cb = chain[b] as number;
    if (ca !== cb) return ca > cb;
    const wa = this.weight[a] as number;
    const wb = this.weight[b] as number;
    if (wa !== wb) return wa > wb;
    return a < b;
  };

  /** The event loop: start what fits, look for waiting cycles now and then, then jump to the next end. */
  run(): EngineOutcome | ScheduleFailure {
    for (let t = 0; t < this.T0; t++) if (this.predsLeft[t] === 0) this.makeReady(t);
    let lastCycleCheck = -1;
    for (;;) {
      this.startPhase(this.time);
      // Look for waiting cycles now and then (amortised: after a share of the parked tasks' worth of ends).
      if (this.ends.size > 0 && this.parkedCount > 0 && (lastCycleCheck < 0 || this.done - lastCycleCheck >= Math.max(8, this.parkedCount >> 2))) {
        lastCycleCheck = this.done;
        while (this.localCycleBounce()) this.startPhase(this.time);
      }
      if (this.ends.size === 0) {
        if (this.done === this.total) break;
        const stalled = this.unstall();
        if (stalled !== undefined) return stalled;
        continue;
      }
      const time = this.end[this.ends.peek()] as number;
      this.time = time;
      while (this.ends.size > 0 && this.end[this.ends.peek()] === time) this.complete(this.ends.pop());
    }
    return { ok: true, start: this.start, end: this.end, bounces: this.bounces, steppedAside: this.steppedAside };
  }

  /**
   * Nothing runs: retry every parked task once (the wake-up heuristics may have missed one), then
   * bounce a VM, else give up with the deadlock. Undefined when the loop can go on.
   */
  private unstall(): ScheduleFailure | undefined {
    const blocked = this.unparkAll();
    for (const t of blocked) this.ready.push(t);
    this.startPhase(this.time);
    if (this.ends.size > 0) return undefined;
    const stillBlocked = this.unparkAll();
    if (this.bounce(stillBlocked) || this.stepAside(stillBlocked) || this.detourAroundBoot(stillBlocked)) {
      for (const t of stillBlocked) this.ready.push(t);
      return undefined;
    }
    return deadlockFailure(this.p, stillBlocked, this.refusedBy, this.state, this.time);
  }

  /** Drops the pools whose heaps are empty from `parkedPools`. */
  private compactParkedPools(): void {
    this.parkedPools = this.parkedPools.filter((pool) => {
      if ((this.parked[pool]?.size ?? 0) > 0) return true;
      this.listed[pool] = 0;
      return false;
    });
  }

  private membersOf(t: number): readonly number[] {
    const g = this.p.syncOf[t] as number;
    return g >= 0 ? (this.p.syncGroups[g] as { members: number[] }).members : [t];
  }

  private demandOn(t: number, pool: number): number {
    const p = this.p;
    let s = 0;
    for (const m of this.membersOf(t)) for (let j = p.demFrom[m] as number; j < (p.demTo[m] as number); j++) if (p.demPool[j] === pool) s += p.demAmt[j] as number;
    return s;
  }

  private addRecheck(pool: number): void {
    if (this.inRecheck[pool]) return;
    this.inRecheck[pool] = 1;
    this.recheck.push(pool);
  }

  private makeReady(t: number): void {
    const g = this.p.syncOf[t] as number;
    this.state[t] = QUEUED;
    if (g >= 0) {
      this.groupLeft[g] = (this.groupLeft[g] as number) - 1;
      if (this.groupLeft[g] !== 0) return;
      this.ready.push((this.p.syncGroups[g] as { members: number[] }).members[0] as number);
      return;
    }
    this.ready.push(t);
  }

  private park(t: number, pool: number): void {
    this.parkedCount++;
    this.refusedBy[t] = pool;
    let h = this.parked[pool];
    if (!h) {
      h = new IntHeap(this.before, 8);
      this.parked[pool] = h;
    }
    if (this.listed[pool] === 0) {
      this.listed[pool] = 1;
      this.parkedPools.push(pool);
    }
    h.push(t);
    this.parkedOn[t] = pool;
  }

  /** Starts a ready task (with its Sync group) when every demand fits now, else parks it on the pool that refused it. */
  private tryStart(t: number, time: number): void {
    if (this.state[t] !== QUEUED) return;
    const members = this.membersOf(t);
    const refused = this.book(members);
    if (refused >= 0) {
      const from = this.wokenFrom[t] as number;
      if (from >= 0 && from !== refused) this.addRecheck(from);
      this.wokenFrom[t] = -1;
      this.park(t, refused);
      return;
    }
    this.wokenFrom[t] = -1;
    this.parkedOn[t] = -1;
    this.launch(members, this.p.syncOf[t] as number, time);
  }

  /** Books every member's demands; on the first pool without room, undoes them and returns that pool (else -1). */
  private book(members: readonly number[]): number {
    const { p, used, cap, undoPool, undoAmt } = this;
    undoPool.length = 0;
    undoAmt.length = 0;
    for (const m of members) {
      for (let j = p.demFrom[m] as number; j < (p.demTo[m] as number); j++) {
        const pool = p.demPool[j] as number;
        const a = p.demAmt[j] as number;
        if ((used[pool] as number) + a > (cap[pool] as number) + EPS) {
          for (let i = 0; i < undoPool.length; i++) used[undoPool[i] as number] = (used[undoPool[i] as number] as number) - (undoAmt[i] as number);
          return pool;
        }
        used[pool] = (used[pool] as number) + a;
        undoPool.push(pool);
        undoAmt.push(a);
      }
    }
    return -1;
  }

  /** The members start at `time` (a pre-copy Sync group: all end together, at time + the longest). */
  private launch(members: readonly number[], group: number, time: number): void {
    const p = this.p;
    let longest = 0;
    for (const m of members) if ((p.dur[m] as number) > longest) longest = p.dur[m] as number;
    const postCopy = group >= 0 && (p.syncGroups[group] as { postCopy: boolean }).postCopy;
    for (const m of members) {
      const d = p.dur[m] as number;
      // Sync (pre-copy): every migration ends at time + longest; its room is booked from `time`.
      const s = group >= 0 && !postCopy ? time + longest - d : time;
      this.start[m] = s;
      this.end[m] = s + d;
      this.state[m] = RUNNING;
      const src = p.src[m] as number;
      if (src >= 0 && isDeparture(p.kind[m] as number)) this.runningDepartures[src] = (this.runningDepartures[src] as number) + 1;
      this.ends.push(m);
    }
  }

  /** A pool got room back: its best parked tasks that fit go back to the ready queue (bounded lookahead). */
  private wake(pool: number): void {
    const h = this.parked[pool];
    if (!h || h.size === 0) return;
    let free = (this.cap[pool] as number) - (this.used[pool] as number);
    const skipped: number[] = [];
    while (h.size > 0 && free > EPS && skipped.length < WAKE_LOOKAHEAD) {
      const t = h.pop();
      if (this.parkedOn[t] !== pool) continue; // stale entry: the task left this pool (bounced, swept)
      const d = this.demandOn(t, pool);
      if (d <= free + EPS) {
        free -= d;
        this.parkedOn[t] = -1;
        this.parkedCount--;
        this.wokenFrom[t] = pool;
        this.ready.push(t);
      } else {
        skipped.push(t);
      }
    }
    for (const t of skipped) h.push(t);
  }

  /** Starts what fits now; node shutdowns last, once the waiting cycles that need their node are broken. */
  private startPhase(time: number): void {
    for (;;) {
      this.startReady(time);
      if (this.heldShutdowns.length === 0) return;
      // a waiting cycle may need a node about to power off as its third node
      if (this.parkedCount > 0 && this.localCycleBounce()) continue;
      for (const t of this.heldShutdowns.splice(0, this.heldShutdowns.length)) this.tryStart(t, time);
      return;
    }
  }

  private startReady(time: number): void {
    for (;;) {
      while (this.ready.size > 0) {
        const t = this.ready.pop();
        if (this.p.kind[t] === SHUTDOWN_NODE && this.state[t] === QUEUED) this.heldShutdowns.push(t);
        else this.tryStart(t, time);
      }
      if (this.recheck.length === 0) return;
      const pools = this.recheck.splice(0, this.recheck.length);
      for (const pool of pools) {
        this.inRecheck[pool] = 0;
        this.wake(pool);
      }
      if (this.ready.size === 0) return;
    }
  }

  /** A task ends: its room is released, then its next leg (a bounce) or its successors become ready. */
  private complete(x: number): void {
    const p = this.p;
    this.state[x] = DONE;
    this.done++;
    const src = p.src[x] as number;
    if (src >= 0 && isDeparture(p.kind[x] as number)) this.runningDepartures[src] = (this.runningDepartures[src] as number) - 1;
    for (let j = p.relFrom[x] as number; j < (p.relTo[x] as number); j++) {
      const pool = p.relPool[j] as number;
      this.used[pool] = (this.used[pool] as number) - (p.relAmt[j] as number);
      this.addRecheck(pool);
    }
    for (const s of this.extraSucc.get(x) ?? []) {
      this.predsLeft[s] = (this.predsLeft[s] as number) - 1;
      if (this.predsLeft[s] === 0) this.makeReady(s);
    }
    const leg = this.nextLeg[x] as number;
    if (leg >= 0) {
      // the second leg waits for the first (and, for a detour round a boot, for that boot too)
      this.predsLeft[leg] = (this.predsLeft[leg] as number) - 1;
      if (this.predsLeft[leg] === 0) this.makeReady(leg);
      return;
    }
    const o = this.owner[x] as number;
    if (o >= this.T0) return;
    for (let j = this.succStart[o] as number; j < (this.succStart[o + 1] as number); j++) {
      const s = this.succ[j] as number;
      this.predsLeft[s] = (this.predsLeft[s] as number) - 1;
      if (this.predsLeft[s] === 0) this.makeReady(s);
    }
  }

  /** Every parked task, removed from its pool (stale entries dropped). */
  private unparkAll(): number[] {
    const all: number[] = [];
    for (const pool of this.parkedPools) {
      this.parked[pool]?.drain((t) => {
        if (this.parkedOn[t] !== pool) return;
        this.parkedOn[t] = -1;
        all.push(t);
      });
    }
    this.parkedCount = 0;
    return all;
  }

  /**
   * Nodes whose arrivals wait for room that can never come while the others are blocked: a
   * node can make progress if one of its departures runs, or may start once its predecessors
   * or a migration slot allow, or waits for room on a node that can make progress. The nodes
   * left over form waiting cycles (A waits for B's room, B for A's); bouncing one of their
   * migrations breaks the cycle now rather than when everything else has finished.
   */
  private localCycleBounce(): boolean {
    if (this.p.R === 0 || this.bounces.length >= this.maxBounces) return false;
    this.compactParkedPools();
    this.epoch++;
    if (!this.markStuckNodes()) return false;
    const candidates = this.cycleCandidates();
    candidates.sort((a, b) => (this.weight[a] as number) - (this.weight[b] as number) || a - b);
    for (const t of candidates) {
      const via = pickBounceNode(this.p, t, this.mayHostBounce);
      if (via < 0) continue;
      this.parkedOn[t] = -1;
      this.parkedCount--;
      this.applyBounce(t, via);
      this.ready.push(t);
      return true;
    }
    return false;
  }

  /**
   * Marks, in this epoch, the nodes with parked arrivals and the nodes they wait on (`seen`), and
   * among them those that can make progress (`progress`); false when no node has parked arrivals.
   */
  private markStuckNodes(): boolean {
    const { p, seen, progress, epoch, parked } = this;
    const explore: number[] = [];
    const visit = (node: number): void => {
      if (seen[node] === epoch) return;
      seen[node] = epoch;
      progress[node] = 0;
      explore.push(node);
    };
    for (const pool of this.parkedPools) {
      if (pool >= p.slotBase || (parked[pool]?.size ?? 0) === 0) continue;
      visit(Math.floor(pool / p.R));
    }
    if (explore.length === 0) return false;
    const waitsOn = new Map<number, number[]>(); // node with room → nodes whose departures wait for it
    const seeds: number[] = [];
    for (let i = 0; i < explore.length; i++) {
      const node = explore[i] as number;
      let free = (this.runningDepartures[node] as number) > 0;
      for (const d of this.departuresFrom[node] as number[]) {
        if (free) break;
        const st = this.state[d] as number;
        if (st === DONE || st === RUNNING) continue;
        const pool = this.parkedOn[d] as number;
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
    return true;
  }

  /** Parked plain migrations between two stuck nodes (markStuckNodes): the ones a bounce may reroute. */
  private cycleCandidates(): number[] {
    const { p, seen, progress, epoch } = this;
    const candidates: number[] = [];
    for (const pool of this.parkedPools) {
      if (pool >= p.slotBase) continue;
      const node = Math.floor(pool / p.R);
      if (seen[node] !== epoch || progress[node] === 1) continue;
      this.parked[pool]?.forEach((t) => {
        if (this.parkedOn[t] !== pool || p.kind[t] !== MIGRATE || (p.syncOf[t] as number) >= 0 || this.isLeg[t]) return;
        const src = p.src[t] as number;
        if (seen[src] === epoch && progress[src] === 0) candidates.push(t);
      });
    }
    return candidates;
  }

  /** Reroutes migration `t` through node index `via`: t becomes src → via, a new leg via → dst. */
  private applyBounce(t: number, via: number): void {
    const p = this.p;
    const vm = p.vm[t] as number;
    const leg = p.bounce(t, via);
    this.state.push(WAITING);
    this.predsLeft.push(1);
    this.start.push(-1);
    this.end.push(-1);
    this.nextLeg.push(-1);
    this.owner.push(this.owner[t] as number);
    this.wokenFrom.push(-1);
    this.parkedOn.push(-1);
    this.refusedBy.push(-1);
    this.isLeg.push(true);
    this.lf.push(this.lf[t] as number);
    this.chain.push(this.chain[t] as number);
    this.lf[t] = (this.lf[t] as number) - (p.dur[t] as number);
    this.chain[t] = (this.chain[t] as number) + (p.dur[t] as number);
    this.nextLeg[t] = leg;
    this.isLeg[t] = true;
    (this.departuresFrom[via] as number[]).push(leg);
    this.total++;
    this.bounces.push({ vm, via: p.nodeIds[via] as NodeId, at: this.time });
    p.viaOf.set(vm, p.nodeIds[via] as NodeId);
    if (!p.finalOnline[via]) this.holdShutdownFor(via, leg);
  }

  /**
   * Whether node index c may take a bounce: a node staying online, a node booted by the plan once
   * its boot is over, or one powering off at the end whose shutdown has not started and whose
   * continuous maxOnline sets have no boot waiting for a shutdown.
   */
  private readonly mayHostBounce = (c: number): boolean => {
    const p = this.p;
    if (!p.originOnline[c]) return p.finalOnline[c] === true && (this.bootOf[c] as number) >= 0 && this.state[this.bootOf[c] as number] === DONE;
    if (p.finalOnline[c]) return true;
    const s = this.shutdownOf[c] as number;
    if (s < 0 || this.state[s] === RUNNING || this.state[s] === DONE) return false;
    return !(p.groupsOfNode.get(c) ?? []).some((g) => g.rc < 0 && this.bootsNeedAShutdown(g.pool));
  };

  /**
   * Whether the boots the plan has not started that count on an online-count pool (a continuous
   * maxOnline) outnumber its free places: then one of them waits for a shutdown of the set, and
   * holding that shutdown back may hold the boot back. Otherwise a node of the set powering off
   * at the end is a third node like any other.
   */
  private bootsNeedAShutdown(pool: number): boolean {
    if (this.bootsByPool === undefined) {
      // built on first use: most schedules never ask
      const byPool = new Map<number, number[]>();
      this.bootOf.forEach((b, c) => {
        if (b < 0) return;
        for (const g of this.p.groupsOfNode.get(c) ?? []) {
          const list = byPool.get(g.pool);
          if (list) list.push(b);
          else byPool.set(g.pool, [b]);
        }
      });
      this.bootsByPool = byPool;
    }
    let pending = 0;
    for (const b of this.bootsByPool.get(pool) ?? []) if (this.state[b] !== RUNNING && this.state[b] !== DONE) pending++;
    return pending > (this.cap[pool] as number) - (this.used[pool] as number);
  }
  /** Pool → the boot tasks of its nodes (bootsNeedAShutdown). */
  private bootsByPool: Map<number, number[]> | undefined;

  /** The shutdown of node index c waits for `leg` (the VM bounced there leaves again). */
  private holdShutdownFor(c: number, leg: number): void {
    const s = this.shutdownOf[c] as number;
    if (this.state[s] === QUEUED) {
      // ready (held, queued or parked): back to waiting; stale queue entries are skipped
      if ((this.parkedOn[s] as number) >= 0) {
        this.parkedOn[s] = -1;
        this.parkedCount--;
      }
      this.state[s] = WAITING;
      this.predsLeft[s] = 0;
    }
    this.predsLeft[s] = (this.predsLeft[s] as number) + 1;
    const list = this.extraSucc.get(leg);
    if (list) list.push(s);
    else this.extraSucc.set(leg, [s]);
  }

  /**
   * At a global stall where no VM of the cycle may go through a third node (its constraints, or
   * no room): a VM that stays on the destination of a blocked migration steps aside to a third
   * node with room, the migration arrives, then the VM comes back (two more migrations; the
   * placement is unchanged). The smallest VM whose absence makes the room, for the lightest
   * blocked migration first.
   */
  private stepAside(blocked: readonly number[]): boolean {
    if (this.bounces.length >= this.maxBounces) return false;
    const p = this.p;
    const candidates = this.waitingForRoomAtDestination(blocked);
    for (const t of candidates) {
      const b = p.dst[t] as number;
      const stayers = [...p.origin.mapping.runningVMs(p.nodeIds[b] as NodeId)]
        .filter((x) => !p.vmTask.has(x) && !p.viaOf.has(x))
        .sort((x, y) => p.weightOf(p.consBefore(x)) - p.weightOf(p.consBefore(y)) || x - y);
      for (const x of stayers) {
        const cons = p.consBefore(x);
        let roomMade = true;
        for (let r = 0; r < p.R && roomMade; r++) {
          const pool = p.nodePool(b, r);
          roomMade = (p.cap[pool] as number) - (p.used[pool] as number) + (cons[r] as number) + EPS >= this.demandOn(t, pool);
        }
        if (!roomMade) continue;
        // a third node, else the blocked migration's own source when it has room now (a two-node swap)
        let via = pickThirdNode(p, x, b, p.src[t] as number, this.mayHostBounce);
        if (via < 0) via = pickThirdNode(p, x, b, -1, this.mayHostBounce);
        if (via < 0) continue;
        const away = p.migrationDuration(x, b, via, 1);
        const back = p.migrationDuration(x, via, b, 1);
        if (typeof away !== 'number' || typeof back !== 'number') continue;
        this.addStepAside(x, b, via, away, back, t);
        return true;
      }
    }
    return false;
  }

  /** VM x steps from node b to via now, and back once migration `after` has arrived. */
  private addStepAside(x: number, b: number, via: number, away: number, back: number, after: number): void {
    const p = this.p;
    const cons = p.consBefore(x);
    const out = p.addTask(MIGRATE, x, b, via, away);
    p.setMigrationBookings(out, x, b, via, cons, cons);
    const home = p.addTask(MIGRATE, x, via, b, back);
    p.setMigrationBookings(home, x, via, b, cons, cons);
    for (const t of [out, home]) {
      p.weight[t] = p.weightOf(cons);
      p.migrationCount++;
      this.state.push(WAITING);
      this.predsLeft.push(0);
      this.start.push(-1);
      this.end.push(-1);
      this.nextLeg.push(-1);
      this.owner.push(t);
      this.wokenFrom.push(-1);
      this.parkedOn.push(-1);
      this.refusedBy.push(-1);
      this.isLeg.push(true);
      this.lf.push(this.lf[after] as number);
      this.chain.push(p.dur[t] as number);
      this.total++;
    }
    (this.departuresFrom[b] as number[]).push(out);
    (this.departuresFrom[via] as number[]).push(home);
    // home waits for the VM to be away and for the migration it made room for
    this.predsLeft[home] = 2;
    this.extraSucc.set(out, [home]);
    const list = this.extraSucc.get(after);
    if (list) list.push(home);
    else this.extraSucc.set(after, [home]);
    this.bounces.push({ vm: x, via: p.nodeIds[via] as NodeId, at: this.time });
    this.steppedAside.push(x);
    p.viaOf.set(x, p.nodeIds[via] as NodeId);
    if (!p.finalOnline[via]) this.holdShutdownFor(via, home);
    this.makeReady(out);
  }

  /** Blocked live migrations (no leg, no sync) refused by their destination's room, lightest first. */
  private waitingForRoomAtDestination(blocked: readonly number[]): number[] {
    const p = this.p;
    const candidates = blocked.filter((t) => {
      if (p.kind[t] !== MIGRATE || (p.syncOf[t] as number) >= 0 || this.isLeg[t]) return false;
      const pool = this.refusedBy[t] as number;
      return p.isNodeResourcePool(pool) && p.poolNode(pool) === p.nodeIds[p.dst[t] as number];
    });
    return candidates.sort((a, b) => (this.weight[a] as number) - (this.weight[b] as number) || a - b);
  }

  /**
   * At a global stall where a boot waits for room in an online-count pool (a continuous maxOnline
   * full: it waits for a shutdown of the set) while a migration to the booting node waits for
   * that boot: the migration's departure may be what the shutdown waits for (its room lets the
   * VMs of the node powering off leave). The lightest such migration goes through a third node
   * with room now, and on to its destination once the boot is over.
   */
  private detourAroundBoot(blocked: readonly number[]): boolean {
    if (this.bounces.length >= this.maxBounces) return false;
    const p = this.p;
    const waiting: number[] = [];
    for (const b of blocked) {
      if (p.kind[b] !== BOOT_NODE || p.isNodeResourcePool(this.refusedBy[b] as number)) continue;
      for (let j = this.succStart[b] as number; j < (this.succStart[b + 1] as number); j++) {
        const t = this.succ[j] as number;
        // the boot is its last predecessor left: it could leave now but for the boot
        if (p.kind[t] === MIGRATE && this.state[t] === WAITING && this.predsLeft[t] === 1 && !this.isLeg[t] && (p.syncOf[t] as number) < 0 && p.dst[t] === p.dst[b]) waiting.push(t);
      }
    }
    waiting.sort((a, b) => (this.weight[a] as number) - (this.weight[b] as number) || a - b);
    for (const t of waiting) {
      const via = pickBounceNode(p, t, this.mayHostBounce);
      if (via < 0) continue;
      const boot = this.bootOf[p.dst[t] as number] as number;
      this.applyBounce(t, via);
      const leg = this.nextLeg[t] as number;
      // the second leg waits for the boot as well; the first leaves now
      this.predsLeft[leg] = (this.predsLeft[leg] as number) + 1;
      const list = this.extraSucc.get(boot);
      if (list) list.push(leg);
      else this.extraSucc.set(boot, [leg]);
      this.predsLeft[t] = 0;
      this.makeReady(t);
      return true;
    }
    return false;
  }

  /** At a global stall: bounce the smallest blocked migration that waits for room on its destination. */
  private bounce(blocked: readonly number[]): boolean {
    if (this.bounces.length >= this.maxBounces) return false;
    const p = this.p;
    const candidates = this.waitingForRoomAtDestination(blocked);
    for (const t of candidates) {
      const via = pickBounceNode(p, t, this.mayHostBounce);
      if (via < 0) continue;
      this.applyBounce(t, via);
      return true;
    }
    return false;
  }
}

function isDeparture(kind: number): boolean {
  return kind === MIGRATE || kind === SHUTDOWN_VM || kind === SUSPEND_VM || kind === KILL_VM;
}

/**
 * The node with room now for `t`'s VM, acceptable to its constraints, with the most room left;
 * a node staying online before one powering off at the end (`mayHost` says which nodes may).
 */
function pickBounceNode(p: Problem, t: number, mayHost: (c: number) => boolean): number {
  return pickThirdNode(p, p.vm[t] as number, p.src[t] as number, p.dst[t] as number, mayHost);
}

/** pickBounceNode for VM `vm` going from node index a to b (neither is a candidate). */
function pickThirdNode(p: Problem, vm: number, a: number, b: number, mayHost: (c: number) => boolean): number {
  if (p.bounceRules.get(vm)?.some((r) => r.kind === 'never')) return -1;
  const cons = p.consBefore(vm);
  let best = -1;
  let bestRoom = -Infinity;
  let bestStays = false;
  for (let c = 0; c < p.nodeIds.length; c++) {
    if (c === a || c === b || !mayHost(c)) continue;
    const stays = p.finalOnline[c] === true;
    if (bestStays && !stays) continue;
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
    if (room > bestRoom || (stays && !bestStays)) {
      bestRoom = room;
      best = c;
      bestStays = stays;
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
    // a blocked boot names the VMs waiting to arrive on its node: the ones a spare booted
    // elsewhere (the planner's retry) would give another way
    if (p.kind[t] === BOOT_NODE) vms.push(...arrivalsWaitingFor(p, p.dst[t] as number, state));
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

/** VMs of the unfinished tasks that arrive on node index `node` (migrations, boots, resumes). */
function arrivalsWaitingFor(p: Problem, node: number, state: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < p.kind.length; t++) {
    const k = p.kind[t] as number;
    if (p.dst[t] !== node || state[t] === DONE || (k !== MIGRATE && k !== BOOT_VM && k !== RESUME_VM)) continue;
    const vm = p.vm[t] as number;
    if (vm >= 0) out.push(vm);
  }
  return out;
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
