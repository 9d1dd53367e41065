import { type KnownElements, argsOf, knownElementsOf } from '../catalogue/args.js';
import type { Constraint } from '../catalogue/constraint.js';
import type { CheckProblem, ConstraintCheck, ConstraintDefinition, ElementNames, Observed } from '../catalogue/definition.js';
import { definitionOf } from '../catalogue/registry.js';
import type { Instance } from '../instance/instance.js';
import { Model, type NodeId, ShareableResource, type VmId } from '../model/index.js';
import { type Action, actionNodes, actionVm } from '../plan/actions.js';
import type { DurationModel } from '../plan/durations.js';
import { formatInterval, formatTime } from '../plan/format.js';
import { type Plan, planDuration } from '../plan/plan.js';
import { type ReplayObserver, type ReplayProblem, replay } from '../plan/replay.js';
import { type Overload, covers, findOverloads } from './capacity.js';
import { withOverbooking } from './overbooking.js';
import { checkIntent } from './intent.js';
import { checkNetwork } from './network.js';
import { describeOriginDifference } from './origin.js';
import { checkStructure } from './structure.js';
import { activity, hookContext, span, withoutTimePrefix } from './wording.js';
import { safeName } from '../text/safe.js';

/**
 * The plan checker: re-verifies a plan against an instance before anybody sees it (BtrPlace's
 * ReconfigurationPlanChecker: never trust the solver). It reports every broken rule, each with
 * when it is broken, the actions and the elements involved, in operator words.
 *
 * Order of the checks:
 * 1. the plan starts from the instance's model (`core: origin`);
 * 2. structure: integer, non-negative times, start <= end, no two actions on one VM (or two power
 *    actions on one node) at once (`core: structure`); a structurally broken plan is not replayed;
 * 2b. intent (intent.ts): no VM changes state unless a state constraint asks (`core: state`), no
 *    action is shorter than the duration model (`core: duration`), no allocation starves a VM
 *    (`core: allocation`); and the network's bandwidth when the model has a `net` view;
 * 3. the replay (src/plan/replay.ts): preconditions (`core: precondition`) and capacities at every
 *    instant (`core: capacity`), the capacities being the virtual ones when an Overbook constraint
 *    raises them (BtrPlace's scheduler caps its cumulatives with ⌊capacity × ratio⌋). A capacity
 *    overload is reported with its whole extent (capacity.ts), and the replay then goes on over a
 *    copy of the plan whose capacities are lifted, so the constraints are still checked over the
 *    whole plan (their checks are always shown the real capacities);
 * 4. every constraint's check, fed as BtrPlace feeds its SatConstraintCheckers: `startsWith(origin)`,
 *    then per instant the `end` hooks of the actions ending (before their effect), then the `start`
 *    hooks of the actions starting, and `endsWith(result)`.
 *
 * Hooks and modes. BtrPlace calls every hook of every checker whatever the constraint's mode and
 * lets each checker decide what its mode watches (a discrete Ban still refuses a placement onto a
 * banned node, a discrete Running refuses a shutdown of its VM, a discrete Spread ignores the plan).
 * Ferry's catalogue checks follow that (src/catalogue/common/check.ts); a check written for the
 * final state only simply does not implement `start`/`end`.
 *
 * Routing. Calling every hook of every constraint for every action costs constraints × actions
 * calls (10,000 × 6,000 on a TDSC instance), while a hook only ever reacts to the actions on the
 * elements its constraint watches. So the `start`/`end` hooks of an action go to the constraints
 * that observe it (ConstraintDefinition.observes, by default the involved VMs and nodes): those
 * listing the action's VM, one of its nodes, or a VM of its plan events, plus those observing every
 * action; a VM substituted by a clone passes its routes on to the clone. They are called in the
 * constraints' order, so the report is exactly the unrouted one (`{ routing: false }` keeps the
 * exhaustive path, which test/checker/routing.test.ts compares against on random plans).
 * `startsWith`, `endsWith` and the interval rule's state test are not routed.
 *
 * How long a constraint is broken (the interval rule):
 * - it is broken from the instant a hook first reports a problem (0 for `startsWith`);
 * - it holds again at the first later instant t whose state passes the constraint's state test:
 *   a fresh check is given the state after every event of t (`startsWith`), then the `start` hook
 *   of every action still under way at t (started, not ended: their effect is in flight, e.g. a
 *   migrating VM already sits on its destination), then `endsWith` on that state; the constraint
 *   holds when none of them reports a problem. The test runs only at event instants (the state
 *   does not change in between). The violation's `to` is that instant, or null when the state test
 *   still fails at the end of the plan. `from === to` means a momentary violation (an order
 *   broken at an instant, an instantaneous action);
 * - a problem reported while a violation of the same constraint is open extends it (actions and
 *   elements are merged); after it closed, it opens a new violation;
 * - `endsWith(result)` failing with no open violation: for a discrete constraint the violation is
 *   the final state (`from` = plan end); for a continuous one, the state test is replayed instant by
 *   instant to find since when it fails (`from` = the first instant of the final failing run).
 *
 * If the replay stops on a precondition, the constraints are reported as far as the replay went;
 * those still broken when it stopped have `to: null`, and the final-state checks are not run.
 */

export interface Violation {
  readonly constraint?: Constraint;
  /** The constraint's script text (`spread({VM2, VM3})`), or `core: origin|structure|precondition|capacity`. */
  readonly rule: string;
  /** First instant (seconds) the rule is broken. */
  readonly from: number;
  /** First instant it holds again; null when it never does (broken at the end of the plan). */
  readonly to: number | null;
  /** One sentence in operator words, with element names and times. */
  readonly message: string;
  readonly actions: readonly Action[];
  readonly vms: readonly number[];
  readonly nodes: readonly number[];
}

export interface PlanCheckReport {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** The model the plan leads to, when it could be replayed to its end. */
  readonly result?: Model;
}

export const CORE_ORIGIN = 'core: origin';
export const CORE_STRUCTURE = 'core: structure';
export const CORE_PRECONDITION = 'core: precondition';
export const CORE_CAPACITY = 'core: capacity';
export { CORE_ALLOCATION, CORE_DURATION, CORE_STATE } from './intent.js';

export interface CheckOptions {
  /**
   * Call each constraint's `start`/`end` hooks only for the actions it observes (default true; see
   * the module comment). false: every hook for every action, the reference the routing is proven
   * against.
   */
  readonly routing?: boolean;
  /**
   * The duration model the plan was computed with (default: the instance's, BtrPlace's evaluators
   * over its attributes): no action may be shorter than it says (`core: duration`, intent.ts).
   */
  readonly durations?: DurationModel;
}

export function checkPlan(instance: Instance, plan: Plan, options: CheckOptions = {}): PlanCheckReport {
  const model = instance.model;
  const routing = options.routing ?? true;
  const violations: Violation[] = [];

  const origin = describeOriginDifference(model, plan.origin);
  if (origin) {
    violations.push({ rule: CORE_ORIGIN, from: 0, to: null, message: `${CORE_ORIGIN}: ${origin.message}`, actions: [], vms: origin.vms, nodes: origin.nodes });
  }

  const structure = checkStructure(plan);
  if (structure.length > 0) {
    for (const p of structure) {
      violations.push({ rule: p.rule, from: p.from, to: p.to, message: `${p.rule}: ${p.message}`, actions: p.actions, vms: p.vms, nodes: p.nodes });
    }
    const last = violations[violations.length - 1];
    if (last) violations[violations.length - 1] = { ...last, message: `${last.message} (the plan was not replayed: no constraint was checked)` };
    return { ok: false, violations };
  }
  violations.push(...checkNetwork(instance, plan)); // link and switch bandwidth (net view), see network.ts
  violations.push(...checkIntent(instance, plan, options.durations)); // only what was asked for, see intent.ts

  const names = namesOf(plan.origin);
  // Capacities at every instant are the virtual ones: physical × the smallest overbooking ratio.
  const virtual = withOverbooking(plan, instance.constraints);
  const source = virtual ? ownCopy(virtual, () => withOverbooking(plan, instance.constraints) ?? plan) : shared(plan);
  const checksView: ModelView = virtual ? (m) => withCapacitiesOf(m, plan.origin) : (m) => m;
  const known = knownElementsOf(model);
  const first = runChecks(source, instance.constraints, names, checksView, routing, known);
  if (first.replay.ok) {
    violations.push(...first.violations);
    const result = virtual ? restoreCapacities(first.replay.result, plan.origin) : first.replay.result;
    return { ok: violations.length === 0, violations, result };
  }

  const problem = first.replay.problem;
  if (isCapacityProblem(problem)) {
    // Report every overload, then check the constraints over the whole plan with lifted capacities.
    const replayed = source.again().plan; // the first replay may have consumed its origin
    const overloads = findOverloads(replayed);
    if (!overloads.some((o) => covers(o, problem.time))) violations.push(replayedOverload(problem));
    for (const o of overloads) violations.push(overloadViolation(plan.origin, o, problem, virtual !== undefined));
    const lifted = ownCopy(liftCapacities(replayed), () => liftCapacities(replayed));
    const second = runChecks(lifted, instance.constraints, names, (m) => withCapacitiesOf(m, plan.origin), routing, known);
    if (!second.replay.ok) violations.push(preconditionViolation(second.replay.problem));
    violations.push(...second.violations);
  } else {
    violations.push(preconditionViolation(problem));
    violations.push(...first.violations);
  }
  return { ok: false, violations };
}

/** The report as text lines: one per violation, then its actions indented. */
export function formatViolations(report: PlanCheckReport, model: Model): string[] {
  const lines: string[] = [];
  for (const v of report.violations) {
    // a message quotes names from the instance: one violation, one line, whatever they hold
    lines.push(`- ${safeName(v.message)}`);
    for (const a of v.actions.slice(0, 6)) lines.push(`    ${formatInterval(a.start, a.end)}: ${activity(model, a)}`);
    if (v.actions.length > 6) lines.push(`    ... and ${v.actions.length - 6} more action(s)`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Core violations
// ---------------------------------------------------------------------------------------------

function isCapacityProblem(p: ReplayProblem): boolean {
  return /over '.*' capacity/.test(p.message);
}

function preconditionViolation(p: ReplayProblem): Violation {
  const a = p.action;
  const vm = a ? actionVm(a) : undefined;
  return {
    rule: CORE_PRECONDITION,
    from: p.time,
    to: null,
    message: `${CORE_PRECONDITION}: the plan cannot be carried out at ${formatTime(p.time)}: ${withoutTimePrefix(p.message)} (the replay stops there)`,
    actions: a ? [a] : [],
    vms: vm === undefined ? [] : [vm],
    nodes: a ? actionNodes(a) : [],
  };
}

/** An overload the replay found but the slice profile does not explain: the replay's own words. */
function replayedOverload(p: ReplayProblem): Violation {
  const a = p.action;
  const vm = a ? actionVm(a) : undefined;
  return {
    rule: CORE_CAPACITY,
    from: p.time,
    to: null,
    message: `${CORE_CAPACITY}: at ${formatTime(p.time)}: ${withoutTimePrefix(p.message)}`,
    actions: a ? [a] : [],
    vms: vm === undefined ? [] : [vm],
    nodes: a ? actionNodes(a) : [],
  };
}

function overloadViolation(model: Model, o: Overload, replayed: ReplayProblem, overbooked: boolean): Violation {
  const node = model.nodeName(o.node);
  // The replay's own explanation ("while VM2 arrives ...") when it is about this overload.
  const detail = /over '(.*)' capacity \([^)]*\)(.*)$/.exec(withoutTimePrefix(replayed.message));
  const context = detail && detail[1] === o.rc && covers(o, replayed.time) && replayed.message.includes(node) ? (detail[2] ?? '') : '';
  const holders = o.vms.map((v) => model.vmName(v));
  const who = context || (holders.length > 0 ? ` (held by ${holders.slice(0, 6).join(', ')}${holders.length > 6 ? ', ...' : ''})` : '');
  return {
    rule: CORE_CAPACITY,
    from: o.from,
    to: o.to,
    message: `${CORE_CAPACITY}: ${node} over '${o.rc}' capacity ${span(o.from, o.to)} (${o.peak} > ${o.capacity}${overbooked ? ', overbooking included' : ''})${who}`,
    actions: o.actions,
    vms: o.vms,
    nodes: [o.node],
  };
}

/** A replay result with the original capacities back (its consumptions kept). */
function restoreCapacities(result: Model, original: Model): Model {
  for (const r of [...result.resources.values()]) {
    const o = original.resource(r.id);
    result.addResource(r.withCapacitiesOf(o, o?.defaultCapacity ?? 0));
  }
  return result;
}

/**
 * A plan to replay. `owned`: its origin is the checker's own copy, which the replay may change
 * rather than copy again (BENCHMARKS: a copy of a 40,000-VM model costs milliseconds). `again()`:
 * the same plan over an origin no replay has changed (a copy made anew when `owned`).
 */
interface ReplaySource {
  readonly plan: Plan;
  readonly owned: boolean;
  again(): ReplaySource;
}

/** A plan somebody else holds (the caller's): replays copy its origin. */
function shared(plan: Plan): ReplaySource {
  const source: ReplaySource = { plan, owned: false, again: () => source };
  return source;
}

/** `plan`, whose origin the checker just made; `make` makes another like it. */
function ownCopy(plan: Plan, make: () => Plan): ReplaySource {
  return { plan, owned: true, again: () => ownCopy(make(), make) };
}

/** The plan over a copy of its origin whose capacities cannot be exceeded. */
function liftCapacities(plan: Plan): Plan {
  const origin = plan.origin.clone();
  for (const r of [...origin.resources.values()]) origin.addResource(r.withCapacitiesOf(undefined, Number.MAX_SAFE_INTEGER));
  return { origin, actions: plan.actions };
}

/** `live` as the checks must see it: its current consumptions, with the original capacities. */
function withCapacitiesOf(live: Model, original: Model): Model {
  return new Model({
    mapping: live.mapping,
    attributes: live.attributes,
    resources: [...live.resources.values()].map((r) => new OriginalCapacities(r, original.resource(r.id))),
    vmNames: live.vmNames,
    nodeNames: live.nodeNames,
    opaqueViews: live.opaqueViews,
    killedVMs: live.killedVMs,
  });
}

/**
 * A read-only window on a live resource whose capacities are the original ones (the replay runs
 * with lifted capacities): built in O(1), read through.
 */
class OriginalCapacities extends ShareableResource {
  constructor(
    private readonly live: ShareableResource,
    private readonly original: ShareableResource | undefined,
  ) {
    super(live.id, original?.defaultCapacity ?? 0, live.defaultConsumption);
  }
  override capacity(node: number): number {
    return this.original?.capacity(node) ?? 0;
  }
  override hasCapacity(node: number): boolean {
    return this.original?.hasCapacity(node) ?? false;
  }
  override definedNodes(): IterableIterator<number> {
    return this.original?.definedNodes() ?? new Map<number, number>().keys();
  }
  override consumption(vm: number): number {
    return this.live.consumption(vm);
  }
  override hasConsumption(vm: number): boolean {
    return this.live.hasConsumption(vm);
  }
  override definedVMs(): IterableIterator<number> {
    return this.live.definedVMs();
  }
}

// ---------------------------------------------------------------------------------------------
// Constraint checks
// ---------------------------------------------------------------------------------------------

/** One constraint being checked over the plan. */
class Watched {
  open: OpenViolation | undefined = undefined;
  /** the last routing stamp that selected it (de-duplicates the routes of one action) */
  stamp = 0;
  private text: string | undefined;

  constructor(
    /** its rank among the constraints: routed hooks are called in this order */
    readonly index: number,
    readonly constraint: Constraint,
    readonly definition: ConstraintDefinition,
    readonly check: ConstraintCheck,
    private readonly names: ElementNames,
  ) {}

  /** The constraint's script text, written on first use (a rule over thousands of nodes is long to write). */
  get rule(): string {
    this.text ??= ruleText(this.definition, this.constraint, this.names);
    return this.text;
  }
}

interface OpenViolation {
  readonly from: number;
  readonly message: string;
  readonly actions: Action[];
  readonly vms: Set<number>;
  readonly nodes: Set<number>;
  /** opened by `endsWith` on the final state (not by a hook during the plan) */
  readonly final: boolean;
}

type ModelView = (live: Model) => Model;

function namesOf(model: Model): ElementNames {
  return { vm: (id) => model.vmName(id), node: (id) => model.nodeName(id) };
}

function ruleText(definition: ConstraintDefinition, constraint: Constraint, names: ElementNames): string {
  try {
    return definition.script.format(constraint, names);
  } catch {
    return `${constraint.id}(${JSON.stringify(constraint.args)})`;
  }
}

/** Runs a check hook; a check that throws is a broken rule too (fail closed, never crash). */
function guarded(w: Watched, hook: () => CheckProblem | null | undefined): CheckProblem | null {
  try {
    return hook() ?? null;
  } catch (e) {
    return { message: `the check of ${w.rule} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The state test of the interval rule: does the constraint hold in `state`, given the actions
 * under way (see the module comment)?
 */
function holdsIn(w: Watched, state: Model, underway: readonly Action[]): boolean {
  const fresh = guardedCheck(w);
  if (!fresh) return false;
  if (guarded(w, () => fresh.startsWith?.(state))) return false;
  for (const a of underway) if (guarded(w, () => fresh.start?.(a, state))) return false;
  return !guarded(w, () => fresh.endsWith(state));
}

function guardedCheck(w: Watched): ConstraintCheck | null {
  try {
    return w.definition.check(w.constraint);
  } catch {
    return null;
  }
}

interface RunOutcome {
  readonly replay: ReturnType<typeof replay>;
  readonly violations: Violation[];
}

function runChecks(source: ReplaySource, constraints: readonly Constraint[], names: ElementNames, view: ModelView, routing: boolean, known: KnownElements): RunOutcome {
  const violations: Violation[] = [];
  const watched: Watched[] = [];
  for (const [i, constraint] of constraints.entries()) {
    const definition = definitionOf(constraint.id);
    if (!definition) {
      violations.push({
        constraint,
        rule: constraint.id,
        from: 0,
        to: null,
        message: `${constraint.id}: no checker knows the constraint '${constraint.id}', so the plan cannot be verified against it`,
        actions: [],
        vms: [],
        nodes: [],
      });
      continue;
    }
    // the entry's typed reader, as the solver's faces and the exact model read them: a bad
    // argument is the same located sentence there and here, never a check run on NaN
    const read = argsOf(definition, constraint, `constraints[${i}]`, known);
    if ('error' in read) {
      const rule = ruleText(definition, constraint, names);
      violations.push({ constraint, rule, from: 0, to: null, message: `${read.error} (${constraint.id}: the plan cannot be checked against it)`, actions: [], vms: [], nodes: [] });
      continue;
    }
    let check: ConstraintCheck;
    try {
      check = definition.check(constraint);
    } catch (e) {
      const rule = ruleText(definition, constraint, names);
      violations.push({ constraint, rule, from: 0, to: null, message: `${rule}: its check cannot be built: ${e instanceof Error ? e.message : String(e)}`, actions: [], vms: [], nodes: [] });
      continue;
    }
    watched.push(new Watched(watched.length, constraint, definition, check, names));
  }

  const run = new CheckRun(watched, source.plan, view, violations, routing);
  const outcome = replay(source.plan, run, { consumeOrigin: source.owned });
  if (outcome.ok) {
    const toLocate = run.finish(outcome.result);
    if (toLocate.length > 0) locate(source.again().plan, toLocate, view, run.duration, violations);
  } else run.stopped();
  violations.sort((a, b) => a.from - b.from || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { replay: outcome, violations };
}

/** A final-state violation of a continuous constraint whose start is still to be found. */
interface Located {
  readonly watched: Watched;
  /** its index in the violations list */
  readonly index: number;
}

/** The replay observer that feeds the checks and keeps the open violations' intervals. */
class CheckRun implements ReplayObserver {
  /** the instant being replayed */
  private now = 0;
  private readonly underway = new Set<Action>();
  /** the constraints with an open violation (only they need the state test at each instant) */
  private readonly broken = new Set<Watched>();
  /** who observes which action; undefined: every constraint gets every hook */
  private router: Router | undefined;
  /** the plan's actions by VM, and its node actions by node (built when first needed) */
  private touching: ActionIndex | undefined;
  readonly duration: number;

  constructor(
    private readonly watched: readonly Watched[],
    private readonly plan: Plan,
    private readonly view: ModelView,
    private readonly out: Violation[],
    private readonly routing: boolean,
  ) {
    this.duration = planDuration(plan);
  }

  startsWith(origin: Model): void {
    this.now = 0;
    const state = this.view(origin);
    // built on the origin the checks start from (Quarantine observes the VMs on its node then)
    if (this.routing) this.router = new Router(this.watched, this.plan.actions, state);
    for (const w of this.watched) this.report(w, 0, guarded(w, () => w.check.startsWith?.(state)), undefined, state);
  }

  beforeEnd(action: Action, time: number, model: Model): void {
    this.advance(time, model);
    this.hook(action, time, this.view(model), 'end');
  }

  afterEnd(action: Action): void {
    this.underway.delete(action);
  }

  beforeStart(action: Action, time: number, model: Model): void {
    this.advance(time, model);
    this.hook(action, time, this.view(model), 'start');
  }

  /** The hot loop (every action × the constraints observing it): no closure, one try per call. */
  private hook(action: Action, time: number, state: Model, hook: 'start' | 'end'): void {
    const targets = this.router ? this.router.routes(action) : this.watched;
    for (const w of targets) {
      const fn = hook === 'start' ? w.check.start : w.check.end;
      if (!fn) continue;
      let p: CheckProblem | null | undefined;
      try {
        p = fn.call(w.check, action, state);
      } catch (e) {
        p = { message: `the check of ${w.rule} failed: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (p) this.report(w, time, p, { action, hook }, state);
    }
  }

  afterStart(action: Action): void {
    this.underway.add(action);
  }

  /**
   * After the replay: closes the last instant, runs `endsWith`, and returns the continuous
   * constraints broken in the final state since an unknown instant (to locate).
   */
  finish(result: Model): Located[] {
    const state = this.view(result);
    this.closeInstant(state);
    const toLocate: Located[] = [];
    for (const w of this.watched) {
      const p = guarded(w, () => w.check.endsWith(state));
      if (!p) {
        if (w.open) this.close(w, null); // cannot happen: the state test includes endsWith
        continue;
      }
      if (w.open) {
        this.merge(w.open, p, undefined);
        this.close(w, null);
      } else if (w.constraint.continuous) {
        this.open(w, this.duration, p, undefined, state, 'final');
        this.close(w, null);
        toLocate.push({ watched: w, index: this.out.length - 1 });
      } else {
        this.open(w, this.duration, p, undefined, state, 'final');
        this.close(w, null);
      }
    }
    return toLocate;
  }

  /** The replay stopped on a core problem: what is still broken stays open-ended. */
  stopped(): void {
    for (const w of this.watched) if (w.open) this.close(w, null);
  }

  private advance(time: number, model: Model): void {
    if (time > this.now) {
      this.closeInstant(this.view(model));
      this.now = time;
    }
  }

  /** Every event of `this.now` has happened: test the open violations on that state. */
  private closeInstant(state: Model): void {
    if (this.broken.size === 0) return;
    const underway = [...this.underway].filter((a) => a.end > this.now).sort((a, b) => a.start - b.start || a.end - b.end);
    for (const w of [...this.broken]) {
      if (holdsIn(w, state, underway)) this.close(w, this.now);
    }
  }

  private report(w: Watched, time: number, p: CheckProblem | null, by: { action: Action; hook: 'start' | 'end' } | undefined, state: Model): void {
    if (!p) return;
    if (w.open) this.merge(w.open, p, by?.action);
    else this.open(w, time, p, by, state, 'hook');
  }

  private open(w: Watched, time: number, p: CheckProblem, by: { action: Action; hook: 'start' | 'end' } | undefined, state: Model, kind: 'hook' | 'final'): void {
    const context = by ? ` ${hookContext(state, by.action, by.hook)}` : '';
    const actions = by ? [by.action] : kind === 'final' ? this.actionsTouching(p) : [];
    w.open = { from: time, message: `${p.message}${context}`, actions, vms: new Set(p.vms ?? []), nodes: new Set(p.nodes ?? []), final: kind === 'final' };
    this.broken.add(w);
  }

  private merge(open: OpenViolation, p: CheckProblem, action: Action | undefined): void {
    if (action && !open.actions.includes(action)) open.actions.push(action);
    for (const v of p.vms ?? []) open.vms.add(v);
    for (const n of p.nodes ?? []) open.nodes.add(n);
  }

  private close(w: Watched, to: number | null): void {
    const o = w.open;
    if (!o) return;
    w.open = undefined;
    this.broken.delete(w);
    let vms = [...o.vms];
    let nodes = [...o.nodes];
    if (vms.length === 0 && nodes.length === 0) {
      for (const a of o.actions) {
        const vm = actionVm(a);
        if (vm !== undefined) vms.push(vm);
        nodes.push(...actionNodes(a));
      }
      if (vms.length === 0 && nodes.length === 0) {
        const involved = w.definition.involved(w.constraint);
        vms = [...involved.vms];
        nodes = [...involved.nodes];
      }
    }
    // A discrete constraint is about the final state only: no interval to speak of.
    const when = o.final && !w.constraint.continuous ? `at the end (${formatTime(o.from)})` : span(o.from, to);
    this.out.push({
      constraint: w.constraint,
      rule: w.rule,
      from: o.from,
      to,
      message: `${w.rule} broken ${when}: ${o.message}`,
      actions: o.actions,
      vms: [...new Set(vms)],
      nodes: [...new Set(nodes)],
    });
  }

  /**
   * For a final-state problem: the actions that touched the VMs it names, or the nodes it names
   * for node actions, in plan order.
   */
  private actionsTouching(p: CheckProblem): Action[] {
    const index = (this.touching ??= indexActions(this.plan.actions));
    const found = new Set<number>();
    for (const vm of p.vms ?? []) for (const i of index.byVm.get(vm) ?? []) found.add(i);
    for (const node of p.nodes ?? []) for (const i of index.nodeActionsByNode.get(node) ?? []) found.add(i);
    return [...found].sort((x, y) => x - y).map((i) => this.plan.actions[i] as Action);
  }
}

interface ActionIndex {
  readonly byVm: Map<VmId, number[]>;
  readonly nodeActionsByNode: Map<NodeId, number[]>;
}

/** Positions of the plan's actions by VM, and of its node actions (no VM) by node. */
function indexActions(actions: readonly Action[]): ActionIndex {
  const byVm = new Map<VmId, number[]>();
  const nodeActionsByNode = new Map<NodeId, number[]>();
  const add = <K>(index: Map<K, number[]>, key: K, i: number): void => {
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  };
  actions.forEach((a, i) => {
    const vm = actionVm(a);
    if (vm !== undefined) add(byVm, vm, i);
    else for (const n of actionNodes(a)) add(nodeActionsByNode, n, i);
  });
  return { byVm, nodeActionsByNode };
}

/**
 * Continuous constraints whose final state is broken while no hook reported anything: replays the
 * plan once more and runs their state test at every instant, to find since when they fail.
 */
function locate(plan: Plan, toLocate: readonly Located[], view: ModelView, duration: number, out: Violation[]): void {
  const lastHeld = new Map<Watched, number>();
  const instants: number[] = [];
  const underway = new Set<Action>();
  let now = 0;
  const test = (live: Model): void => {
    const state = view(live);
    const inFlight = [...underway].filter((a) => a.end > now).sort((a, b) => a.start - b.start || a.end - b.end);
    instants.push(now);
    for (const { watched } of toLocate) if (holdsIn(watched, state, inFlight)) lastHeld.set(watched, now);
  };
  const advance = (time: number, live: Model): void => {
    if (time > now) {
      test(live);
      now = time;
    }
  };
  const outcome = replay(plan, {
    beforeEnd: (_a, t, m) => advance(t, m),
    afterEnd: (a) => underway.delete(a),
    beforeStart: (_a, t, m) => advance(t, m),
    afterStart: (a) => underway.add(a),
    endsWith: (m) => test(m),
  });
  if (!outcome.ok) return;
  for (const { watched, index } of toLocate) {
    const held = lastHeld.get(watched);
    const from = held === undefined ? 0 : (instants.find((t) => t > held) ?? duration);
    const v = out[index];
    if (!v || from === v.from) continue;
    out[index] = { ...v, from, message: v.message.replace(` broken ${span(v.from, null)}:`, ` broken ${span(from, null)}:`) };
  }
}

/**
 * Which constraints observe which action (see the module comment): an index from VMs and nodes to
 * the constraints observing them, the constraints observing every action aside. A constraint
 * whose routes cannot be computed observes every action (fail safe: only slower).
 */
class Router {
  private readonly everyAction: Watched[] = [];
  private readonly byVm = new Map<VmId, Watched[]>();
  private readonly byNode = new Map<NodeId, Watched[]>();
  private stamp = 0;

  constructor(watched: readonly Watched[], actions: readonly Action[], origin: Model) {
    // only the elements `routes` will ever look up: those of the plan's actions and their events
    // (a plan touches a few of a large cluster's elements, the constraints observe them all)
    const vms = new Set<VmId>();
    const nodes = new Set<NodeId>();
    for (const a of actions) {
      const vm = actionVm(a);
      if (vm !== undefined) vms.add(vm);
      for (const node of actionNodes(a)) nodes.add(node);
      if (!a.hooks) continue;
      for (const list of [a.hooks.pre, a.hooks.post]) {
        for (const e of list) {
          vms.add(e.vm);
          if (e.kind === 'substitutedVM') vms.add(e.newVm);
        }
      }
    }
    for (const w of watched) {
      const observed = observedBy(w, origin);
      if (observed === 'all') {
        this.everyAction.push(w);
        continue;
      }
      // the constraints come in order: a repeated element meets `w` at the end of its list
      for (const vm of observed.vms) if (vms.has(vm)) appendOnce(this.byVm, vm, w);
      for (const node of observed.nodes) if (nodes.has(node)) appendOnce(this.byNode, node, w);
    }
    this.followSubstitutions(actions);
  }

  /**
   * A VM substituted by a clone is renamed in the checks' sets (PlanWatcher.substitute), so the
   * clone's actions go where the VM's went; chains (A → B → C, in any plan order) are closed over.
   * Routes only grow: a VM renamed away keeps its routes (Split still follows its slices).
   */
  private followSubstitutions(actions: readonly Action[]): void {
    const edges: { from: VmId; to: VmId }[] = [];
    for (const a of actions) {
      for (const e of [...(a.hooks?.pre ?? []), ...(a.hooks?.post ?? [])]) if (e.kind === 'substitutedVM') edges.push({ from: e.vm, to: e.newVm });
    }
    let grew = edges.length > 0;
    while (grew) {
      grew = false;
      for (const { from, to } of edges) {
        for (const w of this.byVm.get(from) ?? []) grew = addTo(this.byVm, to, w) || grew;
      }
    }
  }

  /** The constraints observing `a`, in the constraints' order. */
  routes(a: Action): Watched[] {
    const stamp = ++this.stamp;
    const out: Watched[] = [];
    take(this.everyAction, stamp, out);
    const vm = actionVm(a);
    if (vm !== undefined) take(this.byVm.get(vm), stamp, out);
    for (const node of actionNodes(a)) take(this.byNode.get(node), stamp, out);
    if (a.hooks) {
      for (const list of [a.hooks.pre, a.hooks.post]) {
        for (const e of list) {
          take(this.byVm.get(e.vm), stamp, out);
          if (e.kind === 'substitutedVM') take(this.byVm.get(e.newVm), stamp, out);
        }
      }
    }
    // often already in order (one list, or lists of disjoint constraints in turn): sort only if not
    for (let i = 1; i < out.length; i++) {
      if ((out[i - 1] as Watched).index > (out[i] as Watched).index) {
        out.sort((x, y) => x.index - y.index);
        break;
      }
    }
    return out;
  }
}

/** Appends the constraints of `list` not yet selected by this routing stamp. */
function take(list: readonly Watched[] | undefined, stamp: number, out: Watched[]): void {
  if (!list) return;
  for (const w of list) {
    if (w.stamp === stamp) continue;
    w.stamp = stamp;
    out.push(w);
  }
}

function observedBy(w: Watched, origin: Model): Observed {
  try {
    const observed = w.definition.observes ? w.definition.observes(w.constraint, origin) : w.definition.involved(w.constraint);
    return observed === 'all' || (Array.isArray(observed.vms) && Array.isArray(observed.nodes)) ? observed : 'all';
  } catch {
    return 'all';
  }
}

/** Adds `w` to the list of `key` unless it is there; true when added. */
function addTo<K>(index: Map<K, Watched[]>, key: K, w: Watched): boolean {
  const list = index.get(key);
  if (!list) {
    index.set(key, [w]);
    return true;
  }
  if (list.includes(w)) return false;
  list.push(w);
  return true;
}

function appendOnce<K>(index: Map<K, Watched[]>, key: K, w: Watched): void {
  const list = index.get(key);
  if (!list) index.set(key, [w]);
  else if (list[list.length - 1] !== w) list.push(w);
}
