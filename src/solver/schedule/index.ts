import type { Constraint } from '../../catalogue/constraint.js';
import type { Model, NodeId, VmId } from '../../model/index.js';
import type { Action, ActionKind } from '../../plan/actions.js';
import { DurationModel } from '../../plan/durations.js';
import type { Plan } from '../../plan/plan.js';
import { sortActions } from '../../plan/plan.js';
import type { Target } from '../target.js';
import { problemLowerBounds } from './bounds.js';
import { networkLowerBounds } from './network-bounds.js';
import { type Bounce, type Priority, runSchedule } from './engine.js';
import {
  ALLOCATE,
  BARRIER,
  BOOT_NODE,
  BOOT_VM,
  type DurationLookup,
  FORGE_VM,
  KILL_VM,
  MIGRATE,
  type Problem,
  RESUME_VM,
  SHUTDOWN_NODE,
  SHUTDOWN_VM,
  SUSPEND_VM,
  type ScheduleFailure,
  failure,
} from './problem.js';
import { buildProblem } from './build.js';

export type { Bounce, Priority } from './engine.js';
export type { ScheduleFailure } from './problem.js';
export { parseTimestamp } from './constraints.js';

/**
 * The scheduler: from an origin model and a target configuration to a timed, ordered plan
 * (BtrPlace's scheduling half, btrplace-semantics.md §3.3), or the located reason why no order
 * exists. Modules: `build.ts` (target → tasks, bookings, edges), `constraints.ts` (what each
 * constraint imposes), `engine.ts` (the event-driven list scheduler), `bounds.ts` (lower bounds).
 *
 * Semantics kept from BtrPlace:
 * - a migration holds room on its source until it ends (c-slice) and on its destination from its
 *   start (d-slice); a VM boot or resume books its host from its start; a VM shutdown, suspend
 *   or kill frees its host at its end;
 * - a node boot ends before any VM arrives; a node shutdown starts once every VM has left;
 *   boots start at 0 (unless a continuous maxOnline makes them wait), shutdowns as soon as the
 *   last VM has left;
 * - every resource of every node (and every continuous resourceCapacity / maxOnline group) holds
 *   at every instant (ends before starts at the same instant); there is no VM-count capacity
 *   (BtrPlace has none unless a constraint sets one, and runningCapacity is discrete only);
 * - ordering constraints: continuous spread, lonely and split (arrivals after the departures
 *   they must not meet), seq, Precedence, Serialize, Sync, Deadline, noDelay, continuous
 *   maxOnline (a node counts as online from the start of its boot until the end of its
 *   shutdown); online/offline are checked against the target. Placement-only constraints
 *   (running, ban, fence, preserve, runningCapacity, discrete modes…) shape the target; the
 *   continuous ones among them restrict where a VM may bounce.
 *
 * Decisions where BtrPlace is silent or where Ferry differs (keep in sync with the report):
 * - at most `maxConcurrentMigrationsPerHost` migrations touch a host at once, incoming plus
 *   outgoing (default 2; BtrPlace has no such cap);
 * - a staying VM whose demand decreases releases it at t=0 (an Allocate at [0,0], as BtrPlace);
 *   one whose demand increases gets an Allocate lasting the `allocate` duration (default 1 s, as
 *   in the seed plan `0'05 to 0'06: allocate(VM1,'cpu',3)`) that starts as soon as the node has
 *   room for the extra amount; BtrPlace puts an instantaneous Allocate at the very end of the
 *   plan. A moving, booting or resuming VM books its new amounts on arrival and carries the
 *   allocate events as POST (migration) or PRE (boot, resume) hooks;
 * - Sync: the migrations end together, or start together when every VM has `postCopy=true` and
 *   the model has a `net` view (BtrPlace reads postCopy only there);
 *   the room of the shorter ones is booked from the group's start (safe, slightly pessimistic);
 * - Deadline timestamps: `+hh:mm:ss`, `+mm'ss`, `+ss` are relative; without `+` the time is a
 *   wall-clock time read with `clockSeconds` (rolled over to the next day), or relative when no
 *   clock is given;
 * - Precedence needs both VMs running before and after (BtrPlace: migration candidates); a VM
 *   that stays put satisfies it;
 * - overbook ratios scale node capacities (floor(capacity × smallest ratio)), in both modes;
 * - cycles: VMs waiting for each other's room (A → N2 while B → N1, both full) are detected as
 *   soon as they form, and the smallest VM goes through a third node that has room and that its
 *   continuous constraints accept (two migrations); rings of continuous-spread members are
 *   broken the same way when the problem is built. The third node may be one the plan boots
 *   (once up) or powers off (its shutdown then waits for the VM to leave again). When no VM of
 *   the cycle can bounce, a VM staying on a blocked destination steps aside to a third node and
 *   comes back after the arrival (`stats.steppedAside`); when none can, the failure names the
 *   VMs, the nodes and the resource they wait for;
 * - a continuous maxOnline full at the start whose boot waits for a shutdown, and that node's VM
 *   placed on the booting node: the VM goes through a third node with room first (build.ts).
 *
 * Network (a `net` view in the origin model, src/plan/network.ts; BtrPlace's CNetwork):
 * - a migration lasts what the duration model says for its (src, dst) (the default model uses
 *   CNetwork's formula over the path's bandwidth) and carries that bandwidth (`bw`, maxBW of the
 *   path) in the plan, as BtrPlace's MigrateVM does;
 * - every link direction and every blocking switch is a pool, as BtrPlace's cumulatives: a
 *   migration holds its bandwidth on each link direction of its path and on each blocking switch
 *   its links touch, from its start to its end; links of unlimited bandwidth (a negative capacity)
 *   are no pool (BtrPlace cannot even give such a migration its Integer.MAX_VALUE bandwidth);
 * - a migration whose path touches a pool narrower than its bandwidth (a blocking switch met only
 *   through switch-to-switch links, which maxBW does not count) cannot run: a failure naming it
 *   (BtrPlace: no solution). A bounce through a third node gives each leg its own path and
 *   duration; nodes the routing cannot join are never chosen as a third node;
 * - lower bounds add the pools' energy (Σ bandwidth × duration / capacity) and, for the MTTR, the
 *   node links' one-at-a-time completion times (network-bounds.ts).
 */

/**
 * `DurationModel.duration(kind, element, model, move)`, or a plain callback
 * `(kind, element, move?) => seconds` (`move`: a migration's source and destination).
 */
export type DurationSource = DurationModel | ((kind: ActionKind, element: number, move?: { readonly src: NodeId; readonly dst: NodeId }) => number);

export interface ScheduleOptions {
  /** Migrations touching one host at once, incoming plus outgoing (default 2). */
  readonly maxConcurrentMigrationsPerHost?: number;
  /** Latest end allowed for the plan, in seconds (default: none). */
  readonly horizon?: number;
  /** Action durations (default: BtrPlace's, the element's attribute `migrate`, `boot`… else 1 s). */
  readonly durations?: DurationSource;
  /** Same as `durations` as a callback; kept for callers written before the duration model. */
  readonly durationOf?: (kind: ActionKind, element: number) => number;
  /** Seconds since midnight at the plan start, to read absolute Deadline timestamps. */
  readonly clockSeconds?: number;
  /** Most temporary bounces allowed to break capacity cycles (default: one per migration). */
  readonly maxBounces?: number;
  /**
   * What the order favours once deadlines are served: `makespan` (default: longest chain first,
   * then biggest VM) or `mttr` (what others wait for first, then shortest first; BtrPlace's
   * default objective is MinMTTR, the sum of end times).
   */
  readonly priority?: Priority;
}

export interface ScheduleStats {
  readonly actions: number;
  /** Migrations in the plan, bounce legs included. */
  readonly migrations: number;
  /** VMs that went through a third node to break a cycle (those that stepped aside included). */
  readonly bounces: readonly Bounce[];
  /**
   * VMs the target leaves in place that stepped aside to a third node and came back to let a
   * blocked migration arrive: migrated VMs the placement does not count (a placement "optimal"
   * on migrations is not, with them).
   */
  readonly steppedAside: readonly VmId[];
  readonly makespan: number;
  /** Sum of the end times of the actions (BtrPlace's MinMTTR cost). */
  readonly mttr: number;
  readonly durationLowerBound: number;
  readonly mttrLowerBound: number;
  /**
   * A bound on the MTTR of any target moving the same VMs and powering the same nodes, wherever
   * they go (what an optimality claim over all placements can rest on); null with a net view,
   * where a migration's duration depends on its destination.
   */
  readonly mttrLowerBoundAnyDestination: number | null;
}

export type ScheduleResult = { readonly ok: true; readonly plan: Plan; readonly stats: ScheduleStats } | ScheduleFailure;

export interface BoundOptions {
  readonly maxConcurrentMigrationsPerHost?: number;
}

/** Turns the duration option into a lookup that reports bad durations instead of throwing. */
export function durationLookup(origin: Model, source?: DurationSource): DurationLookup {
  const model = source ?? DurationModel.defaults();
  return (kind, element, move) => {
    try {
      if (model instanceof DurationModel) {
        // Fast path: evaluate directly; the model's own message only when the value is unusable.
        const evaluator = model.evaluator(kind);
        const ref = { kind: kind === 'bootNode' || kind === 'shutdownNode' ? ('node' as const) : ('vm' as const), id: element };
        let d: number | undefined;
        try {
          d = evaluator?.evaluate(origin, move ? { ...ref, src: move.src, dst: move.dst } : ref);
        } catch {
          d = undefined; // tryDuration below words it
        }
        if (d !== undefined && Number.isInteger(d) && d > 0) return d;
        const r = model.tryDuration(kind, element, origin, move);
        return r.ok ? r.value : r.message;
      }
      return model(kind, element, move);
    } catch (e) {
      return `the duration of ${kind} for element ${element} cannot be evaluated: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
}

function capOf(options: { maxConcurrentMigrationsPerHost?: number }): number | ScheduleFailure {
  const k = options.maxConcurrentMigrationsPerHost ?? 2;
  if (!Number.isInteger(k) || k < 1) return failure(`options.maxConcurrentMigrationsPerHost: expected a positive whole number, got ${k}`);
  return k;
}

export function schedule(origin: Model, target: Target, constraints: readonly Constraint[], options: ScheduleOptions = {}): ScheduleResult {
  const k = capOf(options);
  if (typeof k !== 'number') return k;
  if (options.horizon !== undefined && !(options.horizon >= 0)) return failure(`options.horizon: expected a non-negative number of seconds, got ${options.horizon}`);
  const lookup = durationLookup(origin, options.durations ?? options.durationOf);
  const problemOptions = options.clockSeconds === undefined ? { maxConcurrentMigrationsPerHost: k } : { maxConcurrentMigrationsPerHost: k, clockSeconds: options.clockSeconds };
  const p = buildProblem(origin, target, constraints, lookup, problemOptions);
  if ('ok' in p) return p;
  const bounds = lowerBounds(p, k);
  // before the run: the engine consumes p's pools as it schedules
  const anyDestination = p.network ? null : problemLowerBounds(p, k, true).mttr;
  const outcome = runSchedule(p, options.maxBounces ?? Math.max(p.migrationCount, 1), options.priority ?? 'makespan');
  if (!outcome.ok) return outcome;
  const { start, end } = outcome;
  const late = timingFailure(p, start, end);
  if (late) return late;
  const actions = toActions(p, start, end);
  let makespan = 0;
  let mttr = 0;
  for (const a of actions) {
    if (a.end > makespan) makespan = a.end;
    mttr += a.end;
  }
  if (options.horizon !== undefined && makespan > options.horizon) {
    return failure(`the plan needs ${makespan} s, beyond the horizon of ${options.horizon} s`);
  }
  return {
    ok: true,
    plan: { origin, actions: sortActions(actions) },
    stats: {
      actions: actions.length,
      migrations: p.migrationCount,
      bounces: [...p.plannedBounces.map((b) => ({ ...b, at: 0 })), ...outcome.bounces],
      steppedAside: outcome.steppedAside,
      makespan,
      mttr,
      durationLowerBound: bounds.makespan,
      mttrLowerBound: bounds.mttr,
      mttrLowerBoundAnyDestination: anyDestination,
    },
  };
}

/** A noDelay action that cannot start at 0, or a migration ending after its Deadline, in this schedule. */
function timingFailure(p: Problem, start: readonly number[], end: readonly number[]): ScheduleFailure | undefined {
  for (const t of p.noDelayTasks) {
    if (start[t] !== 0) {
      return failure(`noDelay(${p.vmName(p.vm[t] as number)}): its action cannot start at 0 (the earliest found is ${start[t]} s: it waits for room, a migration slot or an ordering constraint)`, [p.vm[t] as number]);
    }
  }
  for (const [t, where] of p.deadlineWhere) {
    if ((end[t] as number) > (p.deadline[t] as number)) {
      return failure(`${where}: the migration of ${p.vmName(p.vm[t] as number)} ends at ${end[t]} s at best with this schedule, after its deadline (${p.deadline[t]} s)`, [p.vm[t] as number]);
    }
  }
  return undefined;
}

function toActions(p: Problem, start: readonly number[], end: readonly number[]): Action[] {
  const node = (i: number): NodeId => p.nodeIds[i] as NodeId;
  const out: Action[] = [];
  for (let t = 0; t < p.kind.length; t++) {
    const kind = p.kind[t] as number;
    if (kind === BARRIER) continue;
    const vm = p.vm[t] as number;
    const times = { start: start[t] as number, end: end[t] as number };
    const src = p.src[t] as number;
    const dst = p.dst[t] as number;
    switch (kind) {
      case MIGRATE: {
        const hooks = p.hooks.get(t);
        // with a net view the migration carries its bandwidth, as BtrPlace's MigrateVM does
        const bw = p.bandwidth.get(t);
        const base = bw === undefined ? { kind: 'migrateVM' as const, vm, from: node(src), to: node(dst), ...times } : { kind: 'migrateVM' as const, vm, from: node(src), to: node(dst), ...times, bw };
        out.push(hooks ? { ...base, hooks } : base);
        break;
      }
      case BOOT_VM: {
        const hooks = p.hooks.get(t);
        out.push(hooks ? { kind: 'bootVM', vm, node: node(dst), ...times, hooks } : { kind: 'bootVM', vm, node: node(dst), ...times });
        break;
      }
      case RESUME_VM: {
        const hooks = p.hooks.get(t);
        out.push(hooks ? { kind: 'resumeVM', vm, from: node(src), to: node(dst), ...times, hooks } : { kind: 'resumeVM', vm, from: node(src), to: node(dst), ...times });
        break;
      }
      case SHUTDOWN_VM:
        out.push({ kind: 'shutdownVM', vm, node: node(src), ...times });
        break;
      case SUSPEND_VM:
        out.push({ kind: 'suspendVM', vm, from: node(src), to: node(src), ...times });
        break;
      case KILL_VM:
        out.push({ kind: 'killVM', vm, node: src >= 0 ? node(src) : null, ...times });
        break;
      case FORGE_VM:
        out.push({ kind: 'forgeVM', vm, ...times });
        break;
      case BOOT_NODE:
        out.push({ kind: 'bootNode', node: node(dst), ...times });
        break;
      case SHUTDOWN_NODE:
        out.push({ kind: 'shutdownNode', node: node(src), ...times });
        break;
      case ALLOCATE: {
        const a = p.allocation.get(t) as { rc: string; amount: number };
        out.push({ kind: 'allocate', vm, node: node(dst), rc: a.rc, amount: a.amount, ...times });
        break;
      }
    }
  }
  for (const a of p.instantAllocations) out.push({ kind: 'allocate', vm: a.vm, node: a.node, rc: a.rc, amount: a.amount, start: 0, end: 0 });
  return out;
}

function boundsFor(origin: Model, target: Target, durations: DurationSource | undefined, options: BoundOptions): { makespan: number; mttr: number } {
  const k = capOf(options);
  if (typeof k !== 'number') return { makespan: 0, mttr: 0 };
  const p = buildProblem(origin, target, [], durationLookup(origin, durations), { maxConcurrentMigrationsPerHost: k });
  if ('ok' in p) return { makespan: 0, mttr: 0 };
  return lowerBounds(p, k);
}

/** bounds.ts's bounds, raised by the network's cumulatives when the model has a net view. */
function lowerBounds(p: Problem, k: number): { makespan: number; mttr: number } {
  const base = problemLowerBounds(p, k);
  if (!p.network) return base;
  const net = networkLowerBounds(p, k);
  return { makespan: Math.max(base.makespan, net.makespan), mttr: Math.max(base.mttr, net.mttr) };
}

/**
 * A lower bound on the makespan of any plan from `origin` to `target` (without constraints):
 * the longest forced chain (boot then arrival, departure then shutdown) and, per host, the
 * migration time through it divided by the concurrency cap. 0 when the target is not reachable
 * at all (then `schedule` says why).
 */
export function durationLowerBound(origin: Model, target: Target, durations?: DurationSource, options: BoundOptions = {}): number {
  return boundsFor(origin, target, durations, options).makespan;
}

/** A lower bound on the MTTR (sum of action end times) of any plan from `origin` to `target`. */
export function mttrLowerBound(origin: Model, target: Target, durations?: DurationSource, options: BoundOptions = {}): number {
  return boundsFor(origin, target, durations, options).mttr;
}
