import type { Constraint } from '../../catalogue/constraint.js';
import type { Model, NodeId, VmId } from '../../model/index.js';
import { readTimestamp } from '../../catalogue/deadline/timestamp.js';
import { networkViewOf } from '../../plan/network.js';
import { facesOf, hooksOf } from '../faces.js';
import { OrderSink } from './order-sink.js';
import {
  BARRIER,
  BOOT_VM,
  type BounceRule,
  KILL_VM,
  MIGRATE,
  type Problem,
  type ProblemOptions,
  RESUME_VM,
  SHUTDOWN_VM,
  SUSPEND_VM,
  type ScheduleFailure,
  failure,
} from './problem.js';

/**
 * The constraints the scheduler honours, read from their BtrPlace JSON arguments (§6 of
 * btrplace-semantics.md), and the ordering they impose on the tasks. Placement-only constraints
 * are skipped: they shape the target, not the order.
 */
export interface ParsedConstraints {
  overbook: Map<string, number>; // `${node}|${rc}` → smallest ratio
  resourceCapacity: { nodes: NodeId[]; rc: string; amount: number; where: string }[];
  maxOnline: { nodes: NodeId[]; amount: number; where: string }[];
  serialize: { vms: VmId[] }[];
  sync: { vms: VmId[] }[];
  seq: { vms: VmId[] }[];
  precedence: { before: VmId; after: VmId; where: string }[];
  deadline: { vm: VmId; timestamp: string; where: string }[];
  noDelay: VmId[];
  spread: VmId[][];
  lonely: VmId[][];
  split: VmId[][][];
  online: { node: NodeId; where: string }[];
  offline: { node: NodeId; where: string }[];
  /**
   * The rules for a VM routed through a third node, built on first use: most plans never bounce,
   * and the TDSC files would otherwise build one rule per VM of 30,000 (continuous among, spread).
   */
  bounceRules: () => Map<VmId, BounceRule[]>;
  quarantined: Set<NodeId>;
}

/**
 * Reads the constraints' scheduling faces (`src/catalogue/<id>/faces.ts`) into the orderings below;
 * arguments go through each entry's typed reader, so a bad one is a located failure
 * (`constraints[3].amount: ...`). Ids the catalogue does not know order nothing (the checker judges them).
 */
export function parseConstraints(constraints: readonly Constraint[], model: Model): ParsedConstraints | ScheduleFailure {
  const sink = new OrderSink(model);
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i] as Constraint;
    const where = `constraints[${i}]`;
    const faced = facesOf(c, where);
    if (faced === undefined) continue;
    if ('error' in faced) return failure(faced.error);
    sink.where = where;
    hooksOf(faced.faces.schedule)?.order(c, sink);
  }
  return sink.parsed;
}

/**
 * Seconds from the plan start for a Deadline timestamp, read by the catalogue's one parser
 * (`readTimestamp`: the face hands over what it read): a delay as it is; a wall-clock time
 * converted with `clockSeconds`, rolled over to the next day when already past (without a clock
 * it is read as a delay). A timestamp the parser refuses gives its sentence.
 */
export function parseTimestamp(raw: string, clockSeconds?: number): number | { readonly error: string } {
  const d = readTimestamp(raw);
  if ('error' in d) return d;
  if (d.relative || clockSeconds === undefined) return d.seconds;
  const delta = d.seconds - clockSeconds;
  return delta >= 0 ? delta : delta + 86_400;
}

export function addConstraintOrdering(
  p: Problem,
  c: ParsedConstraints,
  index: { arrivalsByNode: Map<number, number[]>; stopsRunningOn: Map<number, number[]> },
  options: ProblemOptions,
): ScheduleFailure | undefined {
  const m = p.origin.mapping;
  const nm = (v: VmId): string => p.vmName(v);
  const arrivalOf = (v: VmId): { task: number; node: number } | undefined => {
    const t = p.lastLeg.get(v) ?? p.vmTask.get(v);
    if (t === undefined) return undefined;
    const k = p.kind[t];
    if (k === MIGRATE || k === BOOT_VM || k === RESUME_VM) return { task: t, node: p.dst[t] as number };
    return undefined;
  };
  /** The task that stops `v` running on its origin host (migration, shutdown, suspend, kill). */
  const departureOf = (v: VmId): { task: number; node: number } | undefined => {
    const t = p.vmTask.get(v);
    if (t === undefined || !m.isRunning(v)) return undefined;
    const k = p.kind[t];
    if (k === MIGRATE || k === SHUTDOWN_VM || k === SUSPEND_VM || k === KILL_VM) return { task: t, node: p.src[t] as number };
    return undefined;
  };
  const barrier = (): number => p.addTask(BARRIER, -1, -1, -1, 0);

  // continuous spread: a member arrives where another member was only after that one left.
  // Members moving in a ring (VM1 N1→N2 while VM2 N2→N1) would wait for each other forever:
  // one of them goes through a third node first (two migrations), which breaks the ring.
  for (const set of c.spread) {
    // no member with a task: no departure, no arrival, nothing to order (most spreads)
    if (!set.some((v) => p.vmTask.has(v))) continue;
    const members = [...new Set(set)];
    const leaving = new Map<number, VmId[]>();
    for (const v of members) {
      const d = departureOf(v);
      if (!d) continue;
      const list = leaving.get(d.node);
      if (list) list.push(v);
      else leaving.set(d.node, [v]);
    }
    const waitsFor = new Map<VmId, VmId>();
    for (const v of members) {
      const arr = arrivalOf(v);
      const first = arr ? leaving.get(arr.node)?.find((w) => w !== v) : undefined;
      if (first !== undefined) waitsFor.set(v, first);
    }
    const state = new Map<VmId, number>(); // 1 on the current walk, 2 finished
    for (const startVm of members) {
      const walk: VmId[] = [];
      let v: VmId | undefined = startVm;
      while (v !== undefined && !state.has(v)) {
        state.set(v, 1);
        walk.push(v);
        v = waitsFor.get(v);
      }
      if (v !== undefined && state.get(v) === 1) {
        const ring = walk.slice(walk.indexOf(v));
        const broken = breakRing(p, ring);
        if (typeof broken === 'string') return failure(broken, ring);
      }
      for (const w of walk) state.set(w, 2);
    }
    for (const v of members) {
      const arr = arrivalOf(v);
      if (!arr) continue;
      for (const w of leaving.get(arr.node) ?? []) {
        const dep = departureOf(w);
        if (w !== v && dep) p.edge(dep.task, arr.task);
      }
    }
  }

  // continuous lonely / split: a VM arrives on a node only after the VMs it must not meet left it.
  // One zero-length barrier per (node, arriving group) gathers those departures.
  const orderArrivals = (arrivals: VmId[], groupOf: (v: VmId) => number, conflicts: (arriving: number, leaving: VmId) => boolean): void => {
    const barriers = new Map<string, number>();
    for (const v of arrivals) {
      const arr = arrivalOf(v);
      if (!arr) continue;
      const g = groupOf(v);
      const key = `${arr.node}|${g}`;
      let b = barriers.get(key);
      if (b === undefined) {
        b = barrier();
        barriers.set(key, b);
        for (const dep of index.stopsRunningOn.get(arr.node) ?? []) if (conflicts(g, p.vm[dep] as number)) p.edge(dep, b);
      }
      p.edge(b, arr.task);
    }
  };
  for (const set of c.lonely) {
    const members = new Set(set);
    // members arrive after foreign VMs left; foreign VMs arrive after members left
    const arrivals: VmId[] = [...set];
    const memberNodes = new Set<number>();
    for (const v of set) {
      const d = departureOf(v);
      if (d) memberNodes.add(d.node);
    }
    for (const node of memberNodes) for (const t of index.arrivalsByNode.get(node) ?? []) if (!members.has(p.vm[t] as number)) arrivals.push(p.vm[t] as number);
    orderArrivals(
      arrivals,
      (v) => (members.has(v) ? 0 : 1),
      (g, w) => (g === 0 ? !members.has(w) : members.has(w)),
    );
  }
  for (const groups of c.split) {
    const groupOf = new Map<VmId, number>();
    groups.forEach((g, i) => g.forEach((v) => groupOf.set(v, i)));
    orderArrivals(
      groups.flat(),
      (v) => groupOf.get(v) as number,
      (g, w) => {
        const other = groupOf.get(w);
        return other !== undefined && other !== g;
      },
    );
  }

  // seq: the state-changing actions of the listed VMs, one after the other
  for (const s of c.seq) {
    let prev = -1;
    for (const v of s.vms) {
      const t = p.vmTask.get(v);
      if (t === undefined || p.kind[t] === MIGRATE) continue;
      if (prev >= 0) p.edge(prev, t);
      prev = t;
    }
  }

  // Precedence: end(migration of vm1) <= start(migration of vm2). Both VMs must be running at
  // the start and at the end (BtrPlace: migration candidates, else no solution); a candidate
  // that stays put has no migration, which satisfies the constraint.
  const runsThrough = (v: VmId): boolean => m.isRunning(v) && (p.target.vms.get(v)?.state ?? 'running') === 'running';
  for (const pr of c.precedence) {
    for (const v of [pr.before, pr.after]) {
      if (!runsThrough(v)) {
        return failure(`${pr.where}: Precedence(${nm(pr.before)}, ${nm(pr.after)}) needs both VMs running before and after (migration candidates), and ${nm(v)} is not`, [pr.before, pr.after]);
      }
    }
    const a = p.lastLeg.get(pr.before) ?? p.vmTask.get(pr.before);
    const b = p.vmTask.get(pr.after);
    if (a !== undefined && b !== undefined) p.edge(a, b);
  }

  // Deadline: the migration ends by the timestamp (only migrating VMs are concerned)
  for (const d of c.deadline) {
    const at = parseTimestamp(d.timestamp, options.clockSeconds);
    if (typeof at !== 'number') return failure(`${d.where}.timestamp: ${at.error}`, [d.vm]);
    const t = p.lastLeg.get(d.vm) ?? p.vmTask.get(d.vm);
    if (t === undefined || p.kind[t] !== MIGRATE) continue;
    if (at < (p.deadline[t] as number)) {
      p.deadline[t] = at;
      p.deadlineWhere.set(t, `${d.where}: Deadline(${nm(d.vm)}, '${d.timestamp}')`);
    }
  }

  // noDelay: the VM's action starts at 0 (checked after scheduling; top priority meanwhile)
  for (const v of c.noDelay) {
    const t = p.vmTask.get(v);
    if (t === undefined) continue;
    p.noDelayTasks.push(t);
    p.deadline[t] = Math.min(p.deadline[t] as number, p.dur[t] as number);
  }

  // Sync: the migrations of these VMs end together (start together when all use post-copy)
  for (const s of c.sync) {
    const members = [...new Set(s.vms)].map((v) => p.vmTask.get(v)).filter((t): t is number => t !== undefined && p.kind[t] === MIGRATE);
    if (members.length < 2) continue;
    // merge with groups the members already belong to
    const merged = new Set<number>(members);
    for (const t of members) {
      const g = p.syncOf[t] as number;
      if (g >= 0) for (const o of (p.syncGroups[g] as { members: number[] }).members) merged.add(o);
    }
    const all = [...merged];
    // BtrPlace reads postCopy only through the net view (CNetwork); without one every member is
    // pre-copy and the group ends together, as the checker says
    const postCopy = networkViewOf(p.origin) !== undefined && all.every((t) => p.origin.attributes.getBoolean('vm', p.vm[t] as number, 'postCopy') === true);
    const g = p.syncGroups.length;
    p.syncGroups.push({ members: all, postCopy });
    for (const t of all) p.syncOf[t] = g;
  }
  return undefined;
}

/**
 * Breaks a ring of continuous-spread members that each wait for the next one to leave: the
 * smallest member that may go through a third node (constraints allow it, most free room now)
 * is split into two migrations, src → via then via → dst. Returns an error sentence when no
 * member can.
 */
function breakRing(p: Problem, ring: readonly VmId[]): string | undefined {
  const candidates = ring
    .map((v) => ({ v, t: p.vmTask.get(v) }))
    .filter((x): x is { v: VmId; t: number } => x.t !== undefined && p.kind[x.t] === MIGRATE && !p.lastLeg.has(x.v))
    .sort((x, y) => (p.weight[x.t] as number) - (p.weight[y.t] as number) || x.v - y.v);
  for (const { v, t } of candidates) {
    const best = roomyThirdNode(p, t);
    if (best < 0) continue;
    const leg = p.bounce(t, best);
    p.edge(t, leg);
    p.lastLeg.set(v, leg);
    p.plannedBounces.push({ vm: v, via: p.nodeIds[best] as NodeId });
    p.viaOf.set(v, p.nodeIds[best] as NodeId);
    return undefined;
  }
  return `continuous spread: ${ring.map((v) => p.vmName(v)).join(', ')} each move to a node another one of them leaves, and none can go through a third node first (no room, or its constraints forbid it)`;
}

/** Whether `node` may host `vm` temporarily under the continuous placement constraints; else why not. */
export function bounceObstacle(p: Problem, vm: VmId, node: NodeId): string | undefined {
  if (p.quarantined.has(node)) return `${p.nodeName(node)} is quarantined`;
  for (const r of p.bounceRules.get(vm) ?? []) {
    switch (r.kind) {
      case 'never':
        return r.why;
      case 'allowed':
        if (!r.nodes.has(node)) return r.why;
        break;
      case 'banned':
        if (r.nodes.has(node)) return r.why;
        break;
      case 'apart':
        for (const o of r.others) {
          if (o === vm) continue;
          if (p.origin.mapping.isRunning(o) && p.origin.mapping.host(o) === node) return r.why;
          // nor where another member is or will be, even on its own way through a third node
          if (p.finalHost.get(o) === node || p.viaOf.get(o) === node) return r.why;
        }
        break;
    }
  }
  return undefined;
}

/**
 * Which third nodes a migration may go through, and what room on them is already spoken for.
 * Default: every node online now and at the end, nothing taken.
 */
export interface ThirdNodes {
  /** Node indexes to consider (default: all). */
  readonly among?: Iterable<number>;
  /** Whether node c may serve (default: online now). It must be online at the end either way. */
  readonly admits?: (c: number) => boolean;
  /** Room on node c's resource r already taken (other VMs routed or sent there). */
  readonly taken?: (c: number, r: number) => number;
}

/** The third node with the most room for migration t's VM now (its constraints allowing), or -1. */
export function roomyThirdNode(p: Problem, t: number, nodes: ThirdNodes = {}): number {
  const vm = p.vm[t] as number;
  const a = p.src[t] as number;
  const b = p.dst[t] as number;
  const cons = p.consBefore(vm);
  const admits = nodes.admits ?? ((c: number) => p.originOnline[c] === true);
  let best = -1;
  let bestRoom = -Infinity;
  for (const c of nodes.among ?? p.nodeIds.keys()) {
    if (c === a || c === b || !p.finalOnline[c] || !admits(c)) continue;
    let room = Infinity;
    for (let r = 0; r < p.R; r++) {
      const pool = p.nodePool(c, r);
      room = Math.min(room, (p.cap[pool] as number) - (p.used[pool] as number) - (nodes.taken?.(c, r) ?? 0) - (cons[r] as number));
    }
    if (room < 0 || room <= bestRoom) continue;
    if (bounceObstacle(p, vm, p.nodeIds[c] as NodeId) !== undefined) continue;
    if (p.network && !(p.canMigrate(vm, a, c) && p.canMigrate(vm, c, b))) continue;
    best = c;
    bestRoom = room;
  }
  return best;
}
