import type { NodeId, NodeState, VmId, VmState } from '../model/index.js';
import type { Constraint } from './constraint.js';

/**
 * The solver-side form of a catalogue constraint (BtrPlace's `C*` classes bound by ChocoMapper),
 * written against this contract only: an encoder receives names and index maps of the exact
 * model's MiniZinc arrays and returns MiniZinc text. Nothing here imports the solver, so the
 * catalogue never depends on it.
 *
 * Time is integer seconds in `0..horizon`. Every VM has at most one action. Conventions of the
 * expressions handed out (they are MiniZinc expressions, literals for VMs that are fixed):
 * - `host(vm)`: index of the VM's final host (`ctx.node(id)`), 0 when it ends with no host
 *   (ready, killed, init). Known in advance (a literal) when the VM is fixed.
 * - `cEnd(vm)`: when the VM stops using its initial host's resources (end of its migration,
 *   shutdown, suspend or kill); `horizon` when it runs there until the end; 0 when it did not run.
 * - `dStart(vm)`: when the VM starts using its final host's resources (start of its migration,
 *   boot or resume); 0 when it already runs there; `horizon` when it does not run at the end.
 * - `start(vm)` / `end(vm)`: its action's interval (0/0 without an action).
 * - `moves(vm)`: a boolean expression, true iff the VM live-migrates.
 * - `nodeOn(node)`: final node state; `nodeStart(node)` / `nodeEnd(node)`: its boot or shutdown
 *   interval (0/0 when its state does not change).
 * A VM's final state is data (decided by the state constraints, BtrPlace's `makeVMTransitions`),
 * so encoders branch on `finalState` in TypeScript rather than in MiniZinc.
 */
export interface EncodingContext {
  readonly horizon: number;
  /** MiniZinc index (1-based) of a node, undefined when the model does not know the node. */
  node(id: NodeId): number | undefined;
  /** True when the VM is known to the model (mapping, or a state constraint). */
  hasVm(vm: VmId): boolean;
  /** True when the VM's placement and schedule are decision variables (repair mode: movable). */
  isVariable(vm: VmId): boolean;
  initialState(vm: VmId): VmState;
  finalState(vm: VmId): VmState;
  /** Host in the source model (running or sleeping), null otherwise. */
  initialHost(vm: VmId): NodeId | null;
  /** Host at the end when it is known in advance (fixed VMs), null when none, undefined when variable. */
  fixedHost(vm: VmId): NodeId | null | undefined;
  host(vm: VmId): string;
  cEnd(vm: VmId): string;
  dStart(vm: VmId): string;
  start(vm: VmId): string;
  end(vm: VmId): string;
  moves(vm: VmId): string;
  initialNodeState(node: NodeId): NodeState;
  nodeOn(node: NodeId): string;
  nodeStart(node: NodeId): string;
  nodeEnd(node: NodeId): string;
  /** Every node of the model, in MiniZinc index order. */
  nodes(): readonly NodeId[];
  /** The variable VMs (in repair mode, the movable set). */
  variableVms(): readonly VmId[];
  /** Fixed VMs running at the end on that node (they neither move nor change state). */
  fixedRunningOn(node: NodeId): readonly VmId[];
  /** Final consumption of a resource by a VM (preserve applied), undefined for an unknown resource. */
  consumption(vm: VmId, rc: string): number | undefined;
  /** Initial consumption of a resource by a VM. */
  initialConsumption(vm: VmId, rc: string): number | undefined;
  /** A fresh MiniZinc identifier for an auxiliary variable. */
  fresh(prefix: string): string;
}

/**
 * Facts a constraint hands to the core model before encoding (BtrPlace's state constraints,
 * `CShareableResource#minVMAllocation` for Preserve, `#overbook` for Overbook): they shape the
 * data (transitions, demands, capacities), not the constraint text.
 */
export interface CoreRequests {
  readonly vmStates?: readonly { readonly vm: VmId; readonly state: VmState }[];
  readonly nodeStates?: readonly { readonly node: NodeId; readonly state: NodeState }[];
  /** Minimum final allocation of a resource for a VM that runs at the end. */
  readonly preserve?: readonly { readonly vm: VmId; readonly rc: string; readonly amount: number }[];
  /** Capacity ratio of a resource on a node (the smallest ratio wins). */
  readonly overbook?: readonly { readonly node: NodeId; readonly rc: string; readonly ratio: number }[];
  /** VMs the constraint may need to move (added to the movable set in repair mode). */
  readonly mustBeVariable?: readonly VmId[];
}

/** MiniZinc items (constraints, auxiliary declarations), or a located reason it cannot be encoded. */
export type EncodeResult = { readonly mzn: string } | { readonly error: string };

/**
 * The exact model's side of one entry. The model builder reads every constraint's arguments with
 * the entry's typed reader (`argsOf`) before calling either hook: `constraint.args` is the entry's
 * typed, validated argument object, so an encoder reads fields, never re-checks them.
 */
export interface ConstraintEncoder<Args = Record<string, unknown>> {
  /** Core facts (state changes, demands, capacities); absent when the constraint has none. */
  core?(constraint: Constraint<Args>): CoreRequests;
  encode(constraint: Constraint<Args>, ctx: EncodingContext): EncodeResult;
}

// ---- helpers encoders share (pure text building) -------------------------------------------

/** A MiniZinc set literal of node indices, skipping nodes unknown to the model. */
export function nodeSet(ctx: EncodingContext, nodes: readonly NodeId[]): string {
  const idx = nodes.map((n) => ctx.node(n)).filter((i): i is number => i !== undefined);
  return `{${[...new Set(idx)].sort((a, b) => a - b).join(',')}}`;
}

/** The VMs of a list that run at the end (the only ones placement constraints speak about). */
export function runningAtEnd(ctx: EncodingContext, vms: readonly VmId[]): VmId[] {
  return vms.filter((v) => ctx.hasVm(v) && ctx.finalState(v) === 'running');
}

/** `constraint <body>;` lines, or a no-op comment when there is nothing to say. */
export function constraints(bodies: readonly string[], why: string): { readonly mzn: string } {
  if (bodies.length === 0) return { mzn: `% ${why}: nothing to constrain\n` };
  // a body may end with ` % why` (a MiniZinc comment): the comment goes after the semicolon
  return {
    mzn: bodies
      .map((b) => {
        const cut = b.indexOf(' % ');
        return cut < 0 ? `constraint ${b};\n` : `constraint ${b.slice(0, cut)}; %${b.slice(cut + 2)}\n`;
      })
      .join(''),
  };
}

/** `a ≤ b`-style pair list over distinct elements i < j. */
export function pairsOf<T>(xs: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push([xs[i] as T, xs[j] as T]);
  return out;
}

/**
 * The c-slice of a VM over a node set, as a task `[0, duration)` expression: how long it keeps
 * using its initial host's resources when it leaves (0 while it stays: its d-slice covers it).
 */
export function leavingDuration(ctx: EncodingContext, vm: VmId): string {
  if (ctx.initialState(vm) !== 'running') return '0';
  if (!ctx.isVariable(vm)) return '0';
  if (ctx.finalState(vm) === 'running') return `(if ${ctx.moves(vm)} then ${ctx.cEnd(vm)} else 0 endif)`;
  return ctx.cEnd(vm);
}

/** Where the c-slice task of `leavingDuration` starts: 0, or the horizon when it has no length (see model.ts on 0-length tasks). */
export function leavingStart(ctx: EncodingContext, vm: VmId): string {
  const d = leavingDuration(ctx, vm);
  return d === '0' ? String(ctx.horizon) : `(if ${d} > 0 then 0 else ${ctx.horizon} endif)`;
}

/** Continuous "arrive only after the other has left": if `vm` ends where `other` started, `other` leaves first. */
export function arrivesAfterLeaving(ctx: EncodingContext, vm: VmId, other: VmId): string | null {
  const from = ctx.initialHost(other);
  if (from === null || ctx.initialState(other) !== 'running') return null;
  if (!ctx.isVariable(vm) && !ctx.isVariable(other)) return null;
  const n = ctx.node(from);
  if (n === undefined) return null;
  return `(${ctx.host(vm)} = ${n} /\\ ${ctx.dStart(vm)} < ${ctx.horizon}) -> ${ctx.cEnd(other)} <= ${ctx.dStart(vm)}`;
}
