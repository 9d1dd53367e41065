import { argsOf, knownElementsOf } from '../../catalogue/args.js';
import type { Constraint } from '../../catalogue/constraint.js';
import type { ConstraintEncoder, CoreRequests, EncodingContext } from '../../catalogue/encoding.js';
import { definitionOf } from '../../catalogue/registry.js';
import { type Model, type NodeId, type NodeState, type VmId, type VmState, isVmTransitionAllowed } from '../../model/index.js';
import type { ActionKind } from '../../plan/actions.js';
import { DurationModel } from '../../plan/durations.js';
import { networkViewOf } from '../../plan/network.js';
import type { Plan } from '../../plan/plan.js';

/** Objective of the exact model. */
export type ExactObjective = 'mttr' | 'migrations' | 'memory';

export interface ExactBudgets {
  /** At most this many live migrations. */
  readonly maxMigrations?: number;
  /** At most this much memory moved (units of the memory resource, or the `memUsed` attribute). */
  readonly maxMemoryMoved?: number;
  /** At most this many migrations touching one node (source or destination) at once; default 2, null: no limit. */
  readonly maxConcurrentMigrationsPerNode?: number | null;
}

/** What the exact solver is asked: no target yet, it computes one with its schedule. */
export interface ExactProblem {
  readonly model: Model;
  readonly constraints: readonly Constraint[];
  readonly durations?: DurationModel;
  /**
   * Repair mode: the VMs that may move, each with its candidate hosts (undefined: every node). VMs
   * that change state, that sit on a node going offline, or that a constraint asks for are added.
   * Absent: every VM is variable, over every node.
   */
  readonly movable?: ReadonlyMap<VmId, readonly NodeId[] | undefined>;
  /** The maintenance window, seconds (default 3600, BtrPlace's maxEnd). */
  readonly horizon?: number;
  readonly budgets?: ExactBudgets;
  /** 'keep' (default): nodes keep their state unless online/offline says otherwise; 'free': the solver may boot or halt nodes. */
  readonly nodePower?: 'keep' | 'free';
}

/** The VM's single action, by transition (BtrPlace's TransitionFactory). */
export type VmPlanKind = 'stayOrMigrate' | 'boot' | 'resume' | 'shutdown' | 'suspend' | 'kill' | 'forge' | 'none';

export interface VariableVm {
  readonly id: VmId;
  readonly kind: VmPlanKind;
  readonly from: VmState;
  readonly to: VmState;
  readonly initialHost: NodeId | null;
  /** Candidate hosts, in choice order (the current host first when it may stay). */
  readonly candidates: readonly NodeId[];
  readonly duration: number;
}

/** Everything decode needs besides the solver output. */
export interface ExactLayout {
  readonly nodes: readonly NodeId[];
  readonly vms: readonly VariableVm[];
  readonly horizon: number;
  readonly finalState: ReadonlyMap<VmId, VmState>;
  readonly nodeTarget: ReadonlyMap<NodeId, NodeState>;
  /** Final demand of running VMs whose demand grows (preserve): vm → rc → amount. */
  readonly grownDemand: ReadonlyMap<VmId, ReadonlyMap<string, number>>;
  readonly pairs: number;
}

/**
 * What a known plan (the heuristic's) tells the model: never solve cold. Its objective bounds the
 * search (only plans at least as good), its hosts are tried first and its start order is followed.
 */
export interface ExactHints {
  readonly incumbent?: Plan;
}

export type BuildResult =
  | { readonly ok: true; readonly model: string; readonly data: Record<string, unknown>; readonly layout: ExactLayout }
  | { readonly ok: false; readonly kind: 'infeasible' | 'error'; readonly reasons: readonly string[] };

const OBJECTIVE_KIND: Readonly<Record<ExactObjective, number>> = { mttr: 1, migrations: 2, memory: 3 };

export function isMemoryResourceId(rc: string): boolean {
  return /^(mem|memory|ram)$/i.test(rc);
}

function planKind(from: VmState, to: VmState): VmPlanKind {
  if (from === 'running' && to === 'running') return 'stayOrMigrate';
  if (from === to) return 'none';
  if (to === 'killed') return 'kill';
  if (from === 'ready' && to === 'running') return 'boot';
  if (from === 'sleeping' && to === 'running') return 'resume';
  if (from === 'running' && to === 'ready') return 'shutdown';
  if (from === 'running' && to === 'sleeping') return 'suspend';
  return 'forge'; // init -> ready, the only transition left
}

const DURATION_KIND: Readonly<Record<VmPlanKind, ActionKind | null>> = {
  stayOrMigrate: 'migrateVM',
  boot: 'bootVM',
  resume: 'resumeVM',
  shutdown: 'shutdownVM',
  suspend: 'suspendVM',
  kill: 'killVM',
  forge: 'forgeVM',
  none: null,
};

type BuildFailure = Extract<BuildResult, { readonly ok: false }>;

const failed = (kind: 'infeasible' | 'error', reasons: readonly string[]): BuildFailure => ({ ok: false, kind, reasons });

/**
 * Builds the MiniZinc model text (core + every constraint's encoding + solve item) and its JSON
 * data. Reports, without solving, what is already visibly infeasible (conflicting state
 * constraints, forbidden transitions, fixed VMs overloading a node).
 */
export function buildExact(
  problem: ExactProblem,
  encoders: ReadonlyMap<string, ConstraintEncoder>,
  coreModel: string,
  solveItem: string,
  objective: ExactObjective,
  hints: ExactHints = {},
): BuildResult {
  const window = problem.horizon ?? 3600;
  if (!Number.isInteger(window) || window <= 0) return failed('error', [`the horizon must be a positive whole number of seconds (got ${window})`]);
  // A `net` view makes every migration's duration depend on its destination and adds a cumulative
  // per link direction and blocking switch (src/plan/network.ts). The exact model does not encode
  // them: it declines, and the heuristic scheduler (src/solver/schedule), which does, plans alone.
  if (networkViewOf(problem.model) !== undefined) {
    return failed('error', ['the model has a net view (network-aware migration durations and link capacities), which the exact model does not encode; the heuristic scheduler plans it']);
  }
  const badArguments = argumentProblems(problem.model, problem.constraints);
  if (badArguments) return badArguments;
  const requests = coreRequests(problem.constraints, encoders);
  if (!Array.isArray(requests)) return requests;
  const incumbent = hints.incumbent;
  const upper = incumbent === undefined ? undefined : incumbentObjective(incumbent, objective);
  // every action end is a term of the MTTR: a plan at most as good as the incumbent ends all its
  // actions by then, so the time axis may stop one second later (smaller domains, same plans)
  const H = objective === 'mttr' && upper !== undefined ? Math.max(1, Math.min(window, upper + 1)) : window;
  const build = new ExactBuild(problem, H, incumbent === undefined ? undefined : incumbentPlacement(incumbent));
  const failure = build.states(requests) ?? build.variables() ?? build.nodeDurations() ?? build.capacities();
  if (failure) return failure;
  const data = build.data(objective, upper);
  const model = build.encode(encoders, coreModel, solveItem);
  if (typeof model !== 'string') return model;
  return { ok: true, model, data, layout: build.layout() };
}

/**
 * Every constraint's arguments, read once by its entry's typed reader (kinds, validation, VMs and
 * nodes the model declares) before any encoder sees them: the same located sentence as the
 * checker and the heuristic faces give (`constraints[3].amount: ...`), never an encoder's guess.
 */
function argumentProblems(model: Model, constraints: readonly Constraint[]): BuildFailure | undefined {
  const known = knownElementsOf(model);
  const errors: string[] = [];
  constraints.forEach((c, i) => {
    const definition = definitionOf(c.id);
    if (!definition) return; // no encoder either: reported by coreRequests
    const read = argsOf(definition, c, `constraints[${i}]`, known);
    if ('error' in read) errors.push(read.error);
  });
  return errors.length > 0 ? failed('error', errors) : undefined;
}

/** Every constraint's core requests (states, preserve, overbook, variables), or the ids without an encoder. */
function coreRequests(constraints: readonly Constraint[], encoders: ReadonlyMap<string, ConstraintEncoder>): CoreRequests[] | BuildFailure {
  const unknown = new Set<string>();
  const requests: CoreRequests[] = [];
  for (const c of constraints) {
    const enc = encoders.get(c.id);
    if (!enc) {
      unknown.add(c.id);
      continue;
    }
    if (enc.core) requests.push(enc.core(c));
  }
  if (unknown.size > 0) return failed('error', [`no solver encoding for constraint(s): ${[...unknown].join(', ')}`]);
  return requests;
}

/**
 * One build, step by step (each step fills fields the next ones read, and returns a failure or
 * undefined): `states` (what the constraints ask of VMs and nodes), `variables` (which VMs are
 * variables, over which hosts, with their durations), `nodeDurations`, `capacities` (what the
 * fixed VMs leave), then `data` (the MiniZinc data) and `encode` (the model text).
 */
class ExactBuild {
  private readonly model: Model;
  private readonly mapping: Model['mapping'];
  private readonly durations: DurationModel;
  private readonly nodes: NodeId[];
  private readonly nodeIdx: Map<NodeId, number>;
  private readonly resources: string[];
  // ---- states
  private readonly wantedVm = new Map<VmId, VmState>();
  private readonly wantedNode = new Map<NodeId, NodeState>();
  private readonly preserve = new Map<VmId, Map<string, number>>();
  private readonly ratio = new Map<string, number>();
  private readonly mustVary = new Set<VmId>();
  private allVms = new Set<VmId>();
  private readonly finalState = new Map<VmId, VmState>();
  private readonly nodeTarget = new Map<NodeId, NodeState>();
  // ---- variables
  private readonly candidatesOf = new Map<VmId, readonly NodeId[] | undefined>();
  private readonly fixedLoad = new Map<string, number>();
  private readonly fixedCount = new Map<NodeId, number>();
  private readonly pinnedOn = new Set<NodeId>();
  private readonly fixedRunning = new Map<NodeId, VmId[]>();
  private readonly variable: VariableVm[] = [];
  private vmIdx = new Map<VmId, number>();
  // ---- nodes, consumption, pairs
  private readonly bootDur: number[] = [];
  private readonly haltDur: number[] = [];
  private cons0: number[][] = [];
  private cons1: number[][] = [];
  private readonly grownDemand = new Map<VmId, Map<string, number>>();
  private pairsByNode: { vm: number; k: number }[][] = [];
  private srcByNode: number[][] = [];
  private readonly capLeft: number[][] = [];
  private readonly capCheck: boolean[][] = [];
  private readonly countLeft: number[] = [];
  private readonly countCheck: boolean[] = [];

  constructor(
    private readonly problem: ExactProblem,
    private readonly H: number,
    private readonly hinted: { readonly host: ReadonlyMap<VmId, NodeId>; readonly start: ReadonlyMap<VmId, number> } | undefined,
  ) {
    this.model = problem.model;
    this.mapping = problem.model.mapping;
    this.durations = problem.durations ?? DurationModel.defaults();
    this.nodes = [...this.mapping.nodes()];
    this.nodeIdx = new Map(this.nodes.map((n, i) => [n, i + 1]));
    this.resources = [...this.model.resources.keys()];
  }

  /** What the constraints ask of VMs and nodes, then every VM's final state and every node's target. */
  states(requests: readonly CoreRequests[]): BuildFailure | undefined {
    const { model, mapping } = this;
    const errors: string[] = [];
    const infeasible: string[] = [];
    this.collectRequests(requests, errors, infeasible);
    this.allVms = new Set<VmId>([...mapping.vms(), ...this.wantedVm.keys()]);
    for (const vm of this.allVms) {
      const from = model.vmState(vm);
      const to = this.wantedVm.get(vm) ?? from;
      if (!isVmTransitionAllowed(from, to)) infeasible.push(`${model.vmName(vm)} cannot go from ${from} to ${to}`);
      this.finalState.set(vm, to);
    }
    for (const n of this.nodes) {
      const now: NodeState = mapping.isOnline(n) ? 'online' : 'offline';
      const want = this.wantedNode.get(n);
      if (want !== undefined) this.nodeTarget.set(n, want);
      else if (this.problem.nodePower !== 'free') this.nodeTarget.set(n, now);
    }
    if (errors.length > 0) return failed('error', errors);
    if (infeasible.length > 0) return failed('infeasible', infeasible);
    return undefined;
  }

  private collectRequests(requests: readonly CoreRequests[], errors: string[], infeasible: string[]): void {
    const model = this.model;
    for (const r of requests) {
      for (const { vm, state } of r.vmStates ?? []) {
        const prev = this.wantedVm.get(vm);
        if (prev !== undefined && prev !== state) infeasible.push(`${model.vmName(vm)} is asked to be both ${prev} and ${state}`);
        this.wantedVm.set(vm, state);
      }
      for (const { node, state } of r.nodeStates ?? []) {
        if (!this.nodeIdx.has(node)) {
          errors.push(`${model.nodeName(node)} is not in the model`);
          continue;
        }
        const prev = this.wantedNode.get(node);
        if (prev !== undefined && prev !== state) infeasible.push(`${model.nodeName(node)} is asked to be both ${prev} and ${state}`);
        this.wantedNode.set(node, state);
      }
      for (const { vm, rc, amount } of r.preserve ?? []) {
        let m = this.preserve.get(vm);
        if (!m) this.preserve.set(vm, (m = new Map()));
        m.set(rc, Math.max(m.get(rc) ?? 0, amount));
        this.mustVary.add(vm);
      }
      for (const { node, rc, ratio: k } of r.overbook ?? []) {
        const key = `${node}:${rc}`;
        this.ratio.set(key, Math.min(this.ratio.get(key) ?? Number.POSITIVE_INFINITY, k));
      }
      for (const vm of r.mustBeVariable ?? []) this.mustVary.add(vm);
    }
  }

  /** Which VMs are variables (with their candidate hosts and durations), and the load of the fixed ones. */
  variables(): BuildFailure | undefined {
    this.chooseVariables();
    this.loadOfFixedVms();
    const errors: string[] = [];
    const infeasible: string[] = [];
    for (const [vm, given] of this.candidatesOf) {
      const v = this.variableVm(vm, given, errors);
      if (v === undefined) infeasible.push(`${this.model.vmName(vm)} must run at the end but none of its candidate hosts can take it`);
      else this.variable.push(v);
    }
    if (infeasible.length > 0) return failed('infeasible', infeasible);
    this.vmIdx = new Map(this.variable.map((v, i) => [v.id, i + 1]));
    // durations of the variable VMs are reported with the nodes' (nodeDurations)
    this.durationErrors = errors;
    return undefined;
  }

  private durationErrors: string[] = [];

  /** The VMs given as movable, plus those that change state, leave a node going offline or must vary; the incumbent's hosts become candidates. */
  private chooseVariables(): void {
    const { model, mapping, allVms, candidatesOf } = this;
    const movable = this.problem.movable;
    if (movable === undefined) {
      for (const vm of allVms) candidatesOf.set(vm, undefined);
      return;
    }
    for (const [vm, cands] of movable) if (allVms.has(vm)) candidatesOf.set(vm, cands);
    for (const vm of allVms) {
      const from = model.vmState(vm);
      const h = mapping.host(vm);
      const leaving = h !== undefined && this.nodeTarget.get(h) === 'offline';
      if ((this.finalState.get(vm) !== from || leaving || this.mustVary.has(vm)) && !candidatesOf.has(vm)) candidatesOf.set(vm, undefined);
    }
    // the incumbent lies in the model's space: the VMs it places become variables, its hosts candidates
    for (const [vm, h] of this.hinted?.host ?? []) {
      if (!allVms.has(vm)) continue;
      const given = candidatesOf.has(vm) ? candidatesOf.get(vm) : [];
      if (given !== undefined && !given.includes(h)) candidatesOf.set(vm, [...given, h]);
    }
  }

  /** Per node, what the VMs that are not variables occupy (they stay where they are). */
  private loadOfFixedVms(): void {
    const { model, mapping } = this;
    for (const vm of this.allVms) {
      if (this.candidatesOf.has(vm)) continue;
      const h = mapping.host(vm);
      if (h === undefined) continue;
      this.pinnedOn.add(h);
      if (!mapping.isRunning(vm)) continue;
      this.fixedCount.set(h, (this.fixedCount.get(h) ?? 0) + 1);
      let list = this.fixedRunning.get(h);
      if (!list) this.fixedRunning.set(h, (list = []));
      list.push(vm);
      for (const rc of this.resources) {
        const key = `${h}:${rc}`;
        this.fixedLoad.set(key, (this.fixedLoad.get(key) ?? 0) + (model.resources.get(rc)?.consumption(vm) ?? 0));
      }
    }
  }

  private capOf(n: NodeId, rc: string): number {
    return Math.floor((this.model.resources.get(rc)?.capacity(n) ?? 0) * (this.ratio.get(`${n}:${rc}`) ?? 1));
  }

  private roomLeft(n: NodeId, rc: string): number {
    return this.capOf(n, rc) - (this.fixedLoad.get(`${n}:${rc}`) ?? 0);
  }

  /** Final demand (preserve applied) of a VM that runs at the end. */
  private finalDemand(vm: VmId, rc: string): number {
    return Math.max(this.model.resources.get(rc)?.consumption(vm) ?? 0, this.preserve.get(vm)?.get(rc) ?? 0);
  }

  /** A host whose room left by the fixed VMs is below the VM's demand can never take it. */
  private fits(vm: VmId, n: NodeId): boolean {
    const cntCap = this.model.attributes.getNumber('node', n, 'maxVMs');
    const slotsLeft = cntCap === undefined ? Number.MAX_SAFE_INTEGER : cntCap - (this.fixedCount.get(n) ?? 0);
    return slotsLeft >= 1 && this.resources.every((rc) => this.finalDemand(vm, rc) <= this.roomLeft(n, rc));
  }

  /** One variable VM: its action, candidate hosts (the incumbent's first) and duration; undefined when it must run but no host can take it. */
  private variableVm(vm: VmId, given: readonly NodeId[] | undefined, errors: string[]): VariableVm | undefined {
    const { model, mapping, nodeIdx } = this;
    const from = model.vmState(vm);
    const to = this.finalState.get(vm) ?? from;
    const kind = planKind(from, to);
    const h = mapping.host(vm) ?? null;
    const offAtEnd = (n: NodeId): boolean => this.nodeTarget.get(n) === 'offline';
    let candidates: NodeId[] = [];
    if (to === 'running') {
      const pool = (given ?? this.nodes).filter((n) => nodeIdx.has(n) && !offAtEnd(n));
      const first = kind === 'stayOrMigrate' && h !== null && !offAtEnd(h) ? [h] : [];
      candidates = [...new Set([...first, ...pool])].filter((n) => this.fits(vm, n));
      // the search tries the first candidate first: the incumbent's host
      const wanted = this.hinted?.host.get(vm);
      if (wanted !== undefined && candidates.includes(wanted)) candidates = [wanted, ...candidates.filter((n) => n !== wanted)];
    } else if (to === 'sleeping' && h !== null) {
      candidates = [h];
    }
    if (to === 'running' && candidates.length === 0) return undefined;
    const dk = DURATION_KIND[kind];
    let duration = 0;
    if (dk !== null) {
      const d = this.durations.tryDuration(dk, vm, model);
      if (!d.ok) errors.push(d.message);
      else duration = d.value;
    }
    return { id: vm, kind, from, to, initialHost: h, candidates, duration };
  }

  /** Boot and halt durations of the nodes whose state changes (1 s for the others). */
  nodeDurations(): BuildFailure | undefined {
    const { model, mapping } = this;
    const errors = this.durationErrors;
    for (const n of this.nodes) {
      const online = mapping.isOnline(n);
      const changes = this.nodeTarget.get(n) === undefined || this.nodeTarget.get(n) !== (online ? 'online' : 'offline');
      let b = 1;
      let s = 1;
      if (changes) {
        const d = this.durations.tryDuration(online ? 'shutdownNode' : 'bootNode', n, model);
        if (!d.ok) errors.push(d.message);
        else if (online) s = d.value;
        else b = d.value;
      }
      this.bootDur.push(b);
      this.haltDur.push(s);
    }
    return errors.length > 0 ? failed('error', errors) : undefined;
  }

  /** Consumption before and after, pairs and sources by node, and what the fixed VMs leave on each node. */
  capacities(): BuildFailure | undefined {
    this.consumptions();
    this.pairsAndSources();
    const { model, mapping } = this;
    const infeasible: string[] = [];
    this.nodes.forEach((n, ni) => {
      const srcs = this.srcByNode[ni] ?? [];
      const pairs = this.pairsByNode[ni] ?? [];
      const capLeft: number[] = [];
      const capCheck: boolean[] = [];
      this.resources.forEach((rc, r) => {
        const cap = this.capOf(n, rc);
        const left = this.roomLeft(n, rc);
        if (left < 0 && mapping.isOnline(n)) infeasible.push(`${model.nodeName(n)} is over its ${rc} capacity (${cap}) with the VMs that may not move`);
        const worst = srcs.reduce((s, v) => s + (this.cons0[v - 1]?.[r] ?? 0), 0) + pairs.reduce((s, p) => s + (this.cons1[p.vm - 1]?.[r] ?? 0), 0);
        capLeft.push(Math.max(0, left));
        capCheck.push(worst > Math.max(0, left));
      });
      this.capLeft.push(capLeft);
      this.capCheck.push(capCheck);
      const cntCap = model.attributes.getNumber('node', n, 'maxVMs');
      const left = (cntCap ?? Number.MAX_SAFE_INTEGER) - (this.fixedCount.get(n) ?? 0);
      this.countLeft.push(cntCap === undefined ? this.allVms.size + 1 : Math.max(0, left));
      this.countCheck.push(cntCap !== undefined && srcs.length + pairs.length > left);
      if (cntCap !== undefined && left < 0) infeasible.push(`${model.nodeName(n)} hosts more than its ${cntCap} VMs with the VMs that may not move`);
    });
    return infeasible.length > 0 ? failed('infeasible', infeasible) : undefined;
  }

  /** Each variable VM's consumption at the start (when running) and at the end (preserve applied: grown demands kept for decode). */
  private consumptions(): void {
    const { model, resources } = this;
    this.cons0 = this.variable.map((v) => resources.map((rc) => (v.from === 'running' ? (model.resources.get(rc)?.consumption(v.id) ?? 0) : 0)));
    this.cons1 = this.variable.map((v) =>
      resources.map((rc) => {
        if (v.to !== 'running') return 0;
        const base = model.resources.get(rc)?.consumption(v.id) ?? 0;
        const keep = this.preserve.get(v.id)?.get(rc) ?? 0;
        if (keep > base) {
          let m = this.grownDemand.get(v.id);
          if (!m) this.grownDemand.set(v.id, (m = new Map()));
          m.set(rc, keep);
        }
        return Math.max(base, keep);
      }),
    );
  }

  /** (VM, candidate) pairs grouped by node, and the variable VMs running on each node at the start. */
  private pairsAndSources(): void {
    const nodeIdx = this.nodeIdx;
    this.pairsByNode = this.nodes.map(() => []);
    this.variable.forEach((v, i) => {
      v.candidates.forEach((n, k) => this.pairsByNode[(nodeIdx.get(n) ?? 1) - 1]?.push({ vm: i + 1, k: k + 1 }));
    });
    this.srcByNode = this.nodes.map(() => []);
    this.variable.forEach((v, i) => {
      if (v.from === 'running' && v.initialHost !== null) this.srcByNode[(nodeIdx.get(v.initialHost) ?? 1) - 1]?.push(i + 1);
    });
  }

  /** The MiniZinc data of the core model. */
  data(objective: ExactObjective, upper: number | undefined): Record<string, unknown> {
    const { mapping, nodes, variable, nodeIdx, srcByNode, pairsByNode } = this;
    const budgets = this.problem.budgets ?? {};
    const conc = budgets.maxConcurrentMigrationsPerNode === undefined ? 2 : budgets.maxConcurrentMigrationsPerNode;
    const flat = this.flatIndices();
    return {
      H: this.H,
      nNodes: nodes.length,
      nRes: this.resources.length,
      nVms: variable.length,
      nPairs: flat.pairVm.length,
      nodeInitOn: nodes.map((n) => mapping.isOnline(n)),
      nodeTarget: nodes.map((n) => {
        const t = this.nodeTarget.get(n);
        return t === undefined ? -1 : t === 'online' ? 1 : 0;
      }),
      nodePinnedOn: nodes.map((n) => this.pinnedOn.has(n)),
      bootDur: this.bootDur,
      haltDur: this.haltDur,
      capLeft: this.capLeft,
      capCheck: this.capCheck,
      countLeft: this.countLeft,
      countCheck: this.countCheck,
      h0: variable.map((v) => (v.initialHost === null ? 0 : (nodeIdx.get(v.initialHost) ?? 0))),
      initRunning: variable.map((v) => v.from === 'running'),
      finalRunning: variable.map((v) => v.to === 'running'),
      mayMigrate: variable.map((v) => v.kind === 'stayOrMigrate'),
      actFixed: variable.map((v) => v.kind !== 'stayOrMigrate' && v.kind !== 'none'),
      startsAtZero: variable.map((v) => v.kind === 'kill'),
      dur: variable.map((v) => v.duration),
      cons0: this.cons0,
      cons1: this.cons1,
      memMoved: this.memoryMoved(),
      grows: variable.map((v, i) => v.kind === 'stayOrMigrate' && (this.cons1[i] ?? []).some((c, r) => c > (this.cons0[i]?.[r] ?? 0))),
      nCand: variable.map((v) => v.candidates.length),
      candOff: flat.candOff,
      candNode: flat.candNode,
      stayK: variable.map((v) => (v.initialHost === null ? 0 : v.candidates.indexOf(v.initialHost) + 1)),
      pairVm: flat.pairVm,
      pairNode: flat.pairNode,
      pairK: flat.pairK,
      pairOff: flat.pairOff,
      srcOff: flat.srcOff,
      srcVm: flat.srcVm,
      maxConc: conc === null ? -1 : conc,
      concCheck: nodes.map((n, ni) => {
        const migrating = (v: number): boolean => variable[v - 1]?.kind === 'stayOrMigrate';
        return (srcByNode[ni] ?? []).some(migrating) || (pairsByNode[ni] ?? []).some((p) => migrating(p.vm) && variable[p.vm - 1]?.initialHost !== n);
      }),
      maxMigrations: budgets.maxMigrations ?? -1,
      maxMemory: budgets.maxMemoryMoved ?? -1,
      objectiveKind: OBJECTIVE_KIND[objective],
      ...outgoingBounds(variable, srcByNode, conc === null ? -1 : conc),
      objUpper: upper ?? -1,
      stOrder: startOrder(variable, this.hinted?.start),
      stInOrder: this.hinted !== undefined,
    };
  }

  /** Memory each variable VM moves when it migrates (the memory resource, else the `memUsed` attribute). */
  private memoryMoved(): number[] {
    const model = this.model;
    const memRc = this.resources.find(isMemoryResourceId);
    return this.variable.map((v) => {
      if (v.kind !== 'stayOrMigrate') return 0;
      if (memRc !== undefined) return model.resources.get(memRc)?.consumption(v.id) ?? 0;
      const attr = model.attributes.getNumber('vm', v.id, 'memUsed');
      return attr !== undefined ? Math.round(attr) : 0;
    });
  }

  /** The candidate lists, pairs and sources as flat 1-based arrays with offsets (MiniZinc has no ragged arrays). */
  private flatIndices(): { candOff: number[]; candNode: number[]; pairVm: number[]; pairNode: number[]; pairK: number[]; pairOff: number[]; srcVm: number[]; srcOff: number[] } {
    const candNode: number[] = [];
    const candOff: number[] = [];
    for (const v of this.variable) {
      candOff.push(candNode.length + 1);
      candNode.push(0);
      for (const n of v.candidates) candNode.push(this.nodeIdx.get(n) ?? 0);
    }
    const pairVm: number[] = [];
    const pairNode: number[] = [];
    const pairK: number[] = [];
    const pairOff: number[] = [];
    this.pairsByNode.forEach((list, ni) => {
      pairOff.push(pairVm.length + 1);
      for (const p of list) {
        pairVm.push(p.vm);
        pairNode.push(ni + 1);
        pairK.push(p.k);
      }
    });
    pairOff.push(pairVm.length + 1);
    const srcVm: number[] = [];
    const srcOff: number[] = [];
    for (const list of this.srcByNode) {
      srcOff.push(srcVm.length + 1);
      srcVm.push(...list);
    }
    srcOff.push(srcVm.length + 1);
    return { candOff, candNode, pairVm, pairNode, pairK, pairOff, srcVm, srcOff };
  }

  /** The model text: the core, every constraint's encoding, the solve item; or the encoders' errors. */
  encode(encoders: ReadonlyMap<string, ConstraintEncoder>, coreModel: string, solveItem: string): string | BuildFailure {
    const ctx = new Context(this.model, this.H, this.nodes, this.nodeIdx, this.variable, this.vmIdx, this.finalState, this.allVms, this.fixedRunning, this.cons1, this.resources);
    const errors: string[] = [];
    const parts: string[] = [coreModel];
    this.problem.constraints.forEach((c, i) => {
      const enc = encoders.get(c.id);
      if (!enc) return;
      const r = enc.encode(c, ctx);
      if ('error' in r) errors.push(`constraints[${i}] (${c.id}): ${r.error}`);
      else parts.push(`% constraints[${i}]: ${c.id}${c.continuous ? ' (continuous)' : ''}\n${r.mzn}`);
    });
    if (errors.length > 0) return failed('error', errors);
    parts.push(solveItem);
    return parts.join('\n');
  }

  layout(): ExactLayout {
    let pairs = 0;
    for (const list of this.pairsByNode) pairs += list.length;
    return { nodes: this.nodes, vms: this.variable, horizon: this.H, finalState: this.finalState, nodeTarget: this.nodeTarget, grownDemand: this.grownDemand, pairs };
  }
}

/** The encoding context over one build (index maps, expressions for variable and fixed VMs). */
class Context implements EncodingContext {
  private freshCount = 0;

  constructor(
    private readonly model: Model,
    readonly horizon: number,
    private readonly nodeList: readonly NodeId[],
    private readonly nodeIdx: ReadonlyMap<NodeId, number>,
    private readonly variable: readonly VariableVm[],
    private readonly vmIdx: ReadonlyMap<VmId, number>,
    private readonly finalStates: ReadonlyMap<VmId, VmState>,
    private readonly known: ReadonlySet<VmId>,
    private readonly fixedRunning: ReadonlyMap<NodeId, VmId[]>,
    private readonly cons1: readonly (readonly number[])[],
    private readonly resources: readonly string[],
  ) {}

  node(id: NodeId): number | undefined {
    return this.nodeIdx.get(id);
  }
  hasVm(vm: VmId): boolean {
    return this.known.has(vm);
  }
  isVariable(vm: VmId): boolean {
    return this.vmIdx.has(vm);
  }
  initialState(vm: VmId): VmState {
    return this.model.vmState(vm);
  }
  finalState(vm: VmId): VmState {
    return this.finalStates.get(vm) ?? this.model.vmState(vm);
  }
  initialHost(vm: VmId): NodeId | null {
    return this.model.mapping.host(vm) ?? null;
  }
  fixedHost(vm: VmId): NodeId | null | undefined {
    if (this.vmIdx.has(vm)) return undefined;
    return this.model.mapping.host(vm) ?? null;
  }
  host(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    if (i !== undefined) return `host[${i}]`;
    const h = this.model.mapping.host(vm);
    return String(h === undefined ? 0 : (this.nodeIdx.get(h) ?? 0));
  }
  cEnd(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    if (i !== undefined) return `cEnd[${i}]`;
    return this.model.mapping.isRunning(vm) ? String(this.horizon) : '0';
  }
  dStart(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    if (i !== undefined) return `dStart[${i}]`;
    return this.model.mapping.isRunning(vm) ? '0' : String(this.horizon);
  }
  start(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    return i !== undefined ? `st[${i}]` : '0';
  }
  end(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    return i !== undefined ? `en[${i}]` : '0';
  }
  moves(vm: VmId): string {
    const i = this.vmIdx.get(vm);
    return i !== undefined ? `moves[${i}]` : 'false';
  }
  initialNodeState(node: NodeId): NodeState {
    return this.model.mapping.isOnline(node) ? 'online' : 'offline';
  }
  nodeOn(node: NodeId): string {
    return `nodeOn[${this.nodeIdx.get(node) ?? 0}]`;
  }
  nodeStart(node: NodeId): string {
    return `nSt[${this.nodeIdx.get(node) ?? 0}]`;
  }
  nodeEnd(node: NodeId): string {
    return `nEn[${this.nodeIdx.get(node) ?? 0}]`;
  }
  nodes(): readonly NodeId[] {
    return this.nodeList;
  }
  variableVms(): readonly VmId[] {
    return this.variable.map((v) => v.id);
  }
  fixedRunningOn(node: NodeId): readonly VmId[] {
    return this.fixedRunning.get(node) ?? [];
  }
  consumption(vm: VmId, rc: string): number | undefined {
    const r = this.resources.indexOf(rc);
    if (r < 0) return undefined;
    const i = this.vmIdx.get(vm);
    if (i !== undefined) return this.cons1[i - 1]?.[r] ?? 0;
    return this.model.resources.get(rc)?.consumption(vm) ?? 0;
  }
  initialConsumption(vm: VmId, rc: string): number | undefined {
    const view = this.model.resources.get(rc);
    return view ? view.consumption(vm) : undefined;
  }
  fresh(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${++this.freshCount}`;
  }
}

/**
 * For each node, over its variable VMs that may live-migrate away: for c = 0..count, the least
 * sum of ends (`sptOut`) and the least last end (`mkOut`) of any c of them leaving, when at most
 * `k` migrations touch the node at once (k < 0: no limit). Durations sorted ascending: the c
 * shortest, shortest first, on k parallel slots is the best sum of completion times (SPT is
 * optimal on identical machines, and any c of them take at least as long, slot by slot); the
 * last one ends no earlier than their total over k, nor than the c-th shortest.
 */
export function outgoingBounds(variable: readonly VariableVm[], srcByNode: readonly (readonly number[])[], k: number): { sptOff: number[]; sptOut: number[]; mkOut: number[] } {
  const sptOff: number[] = [];
  const sptOut: number[] = [];
  const mkOut: number[] = [];
  for (const srcs of srcByNode) {
    sptOff.push(sptOut.length + 1);
    const ds = srcs
      .map((i) => variable[i - 1])
      .filter((v): v is VariableVm => v !== undefined && v.kind === 'stayOrMigrate')
      .map((v) => v.duration)
      .sort((a, b) => a - b);
    const slots = k < 0 ? Math.max(1, ds.length) : Math.max(1, k);
    const completion: number[] = [];
    let sum = 0;
    let total = 0;
    sptOut.push(0);
    mkOut.push(0);
    ds.forEach((d, i) => {
      const c = d + (i >= slots ? (completion[i - slots] ?? 0) : 0);
      completion.push(c);
      sum += c;
      total += d;
      sptOut.push(sum);
      mkOut.push(Math.max(d, Math.ceil(total / slots)));
    });
  }
  sptOff.push(sptOut.length + 1);
  return { sptOff, sptOut, mkOut };
}

/** The objective value of a plan as the model counts it (MTTR: sum of action ends). */
export function incumbentObjective(plan: Plan, objective: ExactObjective): number {
  if (objective === 'mttr') return plan.actions.reduce((s, a) => s + a.end, 0);
  const migrations = plan.actions.filter((a) => a.kind === 'migrateVM');
  if (objective === 'migrations') return new Set(migrations.map((a) => a.vm)).size;
  const model = plan.origin;
  const memRc = [...model.resources.keys()].find(isMemoryResourceId);
  const memory = (vm: VmId): number => (memRc !== undefined ? (model.resources.get(memRc)?.consumption(vm) ?? 0) : Math.round(model.attributes.getNumber('vm', vm, 'memUsed') ?? 0));
  return [...new Set(migrations.map((a) => a.vm))].reduce((s, vm) => s + memory(vm), 0);
}

/** Where the incumbent puts each VM that gets a host, and when each VM's first action starts. */
function incumbentPlacement(plan: Plan): { host: Map<VmId, NodeId>; start: Map<VmId, number> } {
  const host = new Map<VmId, NodeId>();
  const start = new Map<VmId, number>();
  for (const a of plan.actions) {
    if (!('vm' in a)) continue;
    if (!start.has(a.vm) || a.start < (start.get(a.vm) ?? 0)) start.set(a.vm, a.start);
    if (a.kind === 'migrateVM' || a.kind === 'resumeVM') host.set(a.vm, a.to);
    else if (a.kind === 'bootVM') host.set(a.vm, a.node);
  }
  return { host, start };
}

/** 1-based VM indices, by the incumbent's start when it has one (VMs without an action last). */
function startOrder(variable: readonly VariableVm[], start: ReadonlyMap<VmId, number> | undefined): number[] {
  const order = variable.map((_, i) => i + 1);
  if (start === undefined) return order;
  const at = (i: number): number => start.get(variable[i - 1]?.id ?? -1) ?? Number.POSITIVE_INFINITY;
  return order.sort((a, b) => at(a) - at(b) || a - b);
}
