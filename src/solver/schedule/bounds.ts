import { buildSuccessors, topologicalOrder } from './graph.js';
import { ALLOCATE, BARRIER, BOOT_NODE, MIGRATE, type Problem, SHUTDOWN_NODE } from './problem.js';

/**
 * Lower bounds on what any plan for a problem can achieve, whatever the order (used to tell how
 * far a schedule is from the best possible one):
 * - makespan ≥ the longest chain of actions that must follow each other (node boot then
 *   arrival, last departure then node shutdown, ordering constraints, and an action waiting for
 *   room until the earliest departures that make it have ended: see waitForRoom);
 * - makespan ≥ for every host, the migration time entering or leaving it divided by the
 *   per-host concurrency cap (plus the node's boot before, or its shutdown after);
 * - MTTR (sum of end times) ≥ the sum of the earliest finish times, a node's shutdown finishing
 *   no earlier than all the migration time touching it spread over `k` slots, then its own
 *   duration (the halt term); for migrations also half
 *   the sum, over hosts, of the best total completion time of the host's migrations on `k`
 *   parallel slots (shortest first is optimal there, and each migration touches two hosts).
 */
export interface LowerBounds {
  readonly makespan: number;
  readonly mttr: number;
}

const EPS = 1e-9;

/**
 * Room waits: a task whose demand does not fit next to what is on the node at the start (every
 * decrease done at once) cannot start before enough of it has left: the earliest releases first,
 * as if nothing else arrived. Typical case: a VM growing on a full node waits for the departure
 * that makes room, so the plan lasts that departure plus the growth. Raises `est` in place
 * (`arrivalStart` for migrations, whose departure a bounce can keep early); true when `est` moved.
 */
function waitForRoom(p: Problem, est: Float64Array, arrivalStart: Float64Array, anyDestination: boolean): boolean {
  const T = p.kind.length;
  const releases = new Map<number, { task: number; at: number; amount: number }[]>();
  for (let u = 0; u < T; u++) {
    for (let j = p.relFrom[u] as number; j < (p.relTo[u] as number); j++) {
      const pool = p.relPool[j] as number;
      let list = releases.get(pool);
      if (!list) releases.set(pool, (list = []));
      // with a network, a VM bounced through a third node may leave on a faster path than its
      // direct one: all that is sure is that its departure lasts a second
      const leaves = p.network && p.kind[u] === MIGRATE ? 1 : (p.dur[u] as number);
      list.push({ task: u, at: (est[u] as number) + leaves, amount: p.relAmt[j] as number });
    }
  }
  for (const list of releases.values()) list.sort((a, b) => a.at - b.at);
  // a VM that migrates grows wherever it lands: its node is known only for this target
  const migrating = new Set<number>();
  if (anyDestination) for (let u = 0; u < T; u++) if (p.kind[u] === MIGRATE) migrating.add(p.vm[u] as number);
  let moved = false;
  for (let t = 0; t < T; t++) {
    // whatever the destinations: only a growth in place waits for room on a known node
    if (anyDestination && (p.kind[t] !== ALLOCATE || migrating.has(p.vm[t] as number))) continue;
    for (let j = p.demFrom[t] as number; j < (p.demTo[t] as number); j++) {
      const pool = p.demPool[j] as number;
      const missing = (p.used[pool] as number) + (p.demAmt[j] as number) - (p.cap[pool] as number);
      if (missing <= EPS) continue;
      let freed = 0;
      let wait = -1;
      for (const r of releases.get(pool) ?? []) {
        if (r.task === t) continue;
        freed += r.amount;
        if (freed >= missing - EPS) {
          wait = r.at;
          break;
        }
      }
      // wait < 0: not even every release makes room; the scheduler will say so, the bound stays
      if (p.kind[t] === MIGRATE) {
        // a migration's arrival may wait, but its departure need not: the VM can go through a
        // third node first (a bounce), so nothing that waits for this VM to leave waits longer
        if (wait > (arrivalStart[t] as number)) arrivalStart[t] = wait;
      } else if (wait > (est[t] as number)) {
        est[t] = wait;
        moved = true;
      }
    }
  }
  return moved;
}

/**
 * `anyDestination`: a bound valid for every target that moves the same VMs and powers the same
 * nodes, wherever the VMs go (to claim a plan optimal over all of them, not just over the
 * schedules of one placement): no ordering edges (continuous constraints order by destination),
 * no waits at destinations, per-host terms on the sources only.
 */
export function problemLowerBounds(p: Problem, k: number, anyDestination = false): LowerBounds {
  const T = p.kind.length;
  // a bounce (src -> via -> dst) is this target's way round a ring: another target may not need
  // it, so a bound over every destination counts one migration per VM
  const extraLeg = (t: number): boolean => anyDestination && p.lastLeg.get(p.vm[t] as number) === t;
  // earliest start along the ordering edges (a cycle leaves its tasks at 0)
  const graph = anyDestination ? buildSuccessors(T, [], []) : buildSuccessors(T, p.edgeFrom, p.edgeTo);
  const { order, count } = topologicalOrder(graph);
  const est = new Float64Array(T);
  const propagate = (): void => {
    for (let i = 0; i < count; i++) {
      const t = order[i] as number;
      const ef = (est[t] as number) + (p.dur[t] as number);
      for (let j = graph.start[t] as number; j < (graph.start[t + 1] as number); j++) {
        const s = graph.adj[j] as number;
        if (ef > (est[s] as number)) est[s] = ef;
      }
    }
  };
  propagate();
  const arrivalStart = new Float64Array(T);
  // twice is enough in practice: a wait rarely feeds another wait further than one step away
  for (let round = 0; round < 2 && waitForRoom(p, est, arrivalStart, anyDestination); round++) propagate();
  let makespan = 0;
  let sumOther = 0;
  let sumMigEf = 0;
  const N = p.nodeIds.length;
  const perHost: number[][] = Array.from({ length: N }, () => []);
  const bootOf = new Float64Array(N);
  const shutdownOf = new Float64Array(N);
  const migEf = new Float64Array(T).fill(-1);
  // migration time touching each host (a node's shutdown waits for all of it, k at a time)
  const hostWork = new Float64Array(N);
  for (let t = 0; t < T; t++) {
    const kind = p.kind[t] as number;
    if (extraLeg(t)) continue;
    if (kind === MIGRATE) {
      const src = p.src[t] as number;
      const dst = p.dst[t] as number;
      hostWork[src] = (hostWork[src] as number) + (p.dur[t] as number);
      if (!anyDestination) hostWork[dst] = (hostWork[dst] as number) + (p.dur[t] as number);
    } else if (kind === BOOT_NODE) bootOf[p.dst[t] as number] = p.dur[t] as number;
  }
  for (let t = 0; t < T; t++) {
    const kind = p.kind[t] as number;
    if (kind === BARRIER || extraLeg(t)) continue;
    let ef = Math.max(est[t] as number, kind === MIGRATE ? (arrivalStart[t] as number) : 0) + (p.dur[t] as number);
    if (kind === SHUTDOWN_NODE) {
      // the halt term: the node halts only after every migration touching it, k at a time
      const h = p.src[t] as number;
      ef = Math.max(ef, (bootOf[h] as number) + Math.ceil((hostWork[h] as number) / k) + (p.dur[t] as number));
      shutdownOf[h] = p.dur[t] as number;
    }
    if (ef > makespan) makespan = ef;
    if (kind === MIGRATE) {
      sumMigEf += ef;
      migEf[t] = ef;
      (perHost[p.src[t] as number] as number[]).push(t);
      if (!anyDestination) (perHost[p.dst[t] as number] as number[]).push(t);
    } else sumOther += ef;
  }
  // per host: the best sum of completion times of its migrations on k slots (shortest first)
  const hostSpt = new Float64Array(N);
  let sptTotal = 0;
  for (let h = 0; h < N; h++) {
    const tasks = perHost[h] as number[];
    if (tasks.length === 0) continue;
    const ds = tasks.map((t) => p.dur[t] as number).sort((a, b) => a - b);
    let sum = 0;
    for (const d of ds) sum += d;
    const hostBound = Math.ceil(sum / k) + (bootOf[h] as number) + (shutdownOf[h] as number);
    if (hostBound > makespan) makespan = hostBound;
    const completion = new Float64Array(ds.length);
    let spt = 0;
    for (let i = 0; i < ds.length; i++) {
      // slot i % k: after the node's boot (if any), then the shorter migrations on that slot
      completion[i] = (ds[i] as number) + (i >= k ? (completion[i - k] as number) : (bootOf[h] as number));
      spt += completion[i] as number;
    }
    hostSpt[h] = spt;
    sptTotal += spt;
  }
  // hosts whose migration sets are disjoint add up exactly; pick them greedily, biggest first
  const hosts = Array.from({ length: N }, (_, h) => h).filter((h) => (hostSpt[h] as number) > 0);
  hosts.sort((a, b) => (hostSpt[b] as number) - (hostSpt[a] as number));
  const covered = new Uint8Array(T);
  let disjoint = 0;
  for (const h of hosts) {
    const tasks = perHost[h] as number[];
    if (tasks.some((t) => covered[t] === 1)) continue;
    for (const t of tasks) covered[t] = 1;
    disjoint += hostSpt[h] as number;
  }
  for (let t = 0; t < T; t++) if ((migEf[t] as number) >= 0 && covered[t] === 0) disjoint += migEf[t] as number;
  const migrations = Math.max(sumMigEf, Math.ceil(sptTotal / 2), disjoint);
  return { makespan, mttr: sumOther + migrations };
}
