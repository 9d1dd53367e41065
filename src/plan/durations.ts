import { JsonReadError } from '../json/read.js';
import type { ElementKind, Model, NodeId } from '../model/index.js';
import { nodeLabel, vmLabel } from '../model/index.js';
import type { ActionKind } from './actions.js';
import { ACTION_KINDS } from './actions.js';
import { type Network, networkMigrationDuration, networkOf } from './network.js';

/**
 * How long each action takes, in seconds (BtrPlace's DurationEvaluators, `choco/.../duration`).
 * Defaults: every action lasts 1 s, unless the element carries the attribute of that action
 * (`migrate`, `boot`, `shutdown`, `suspend`, `resume`, `forge`, `kill`, `allocate`); the `boot`
 * and `shutdown` keys serve both the VM and the node actions, as in BtrPlace. A duration that
 * evaluates to 0 or less is a modelling error, never silently clamped.
 *
 * Network. When the model has a `net` view (src/plan/network.ts), BtrPlace computes every live
 * migration's duration from the network (CNetwork: memUsed over the path's bandwidth, dirty pages)
 * and ignores the `migrate` attribute; the duration then depends on the destination, so a
 * migration is evaluated with its `src` and `dst` in the element reference. The default model does
 * this (`networkAware`); an evaluator asked about a migration without `src`/`dst` (callers that do
 * not know the destination yet) falls back to the per-VM evaluation.
 */

/** The element an action is about: a VM for VM actions, a node for bootNode / shutdownNode. */
export interface ElementRef {
  readonly kind: ElementKind;
  readonly id: number;
  /** For a migration, when known: its source node. */
  readonly src?: NodeId;
  /** For a migration, when known: its destination node. */
  readonly dst?: NodeId;
}

/** Where a migration goes, for duration models that depend on it (the network's). */
export interface Move {
  readonly src: NodeId;
  readonly dst: NodeId;
}

export interface DurationEvaluator {
  /**
   * The duration in seconds; a value <= 0 or not an integer means "cannot evaluate". May throw a
   * DurationError whose message says why in operator words (a VM without `memUsed`, say).
   */
  evaluate(model: Model, element: ElementRef): number;
  /** For error messages and `ferry` listings, e.g. `round(2 × mem + 3)`. */
  readonly description: string;
}

/** Raised by `DurationModel.duration` for a duration that is not a positive integer. */
export class DurationError extends Error {
  override name = 'DurationError';
}

/**
 * The longest action: 10 years of seconds. Beyond it a duration is a typo or an attack, and plan
 * ends stop being exact (1e308 s gave a plan "ending" in 10^304 s).
 */
export const MAX_DURATION = 10 * 365 * 24 * 3600;

/** The attribute key overriding the duration of each action kind (DurationEvaluators.newBundle). */
export const DURATION_ATTRIBUTE: Readonly<Record<ActionKind, string>> = {
  migrateVM: 'migrate',
  bootVM: 'boot',
  shutdownVM: 'shutdown',
  suspendVM: 'suspend',
  resumeVM: 'resume',
  forgeVM: 'forge',
  killVM: 'kill',
  bootNode: 'boot',
  shutdownNode: 'shutdown',
  allocate: 'allocate',
};

/** Node actions take a node; every other action takes a VM. */
export function elementKindOf(kind: ActionKind): ElementKind {
  return kind === 'bootNode' || kind === 'shutdownNode' ? 'node' : 'vm';
}

function label(element: ElementRef): string {
  return element.kind === 'vm' ? vmLabel(element.id) : nodeLabel(element.id);
}

/** Always `seconds` (ConstantActionDuration). */
export function constantDuration(seconds: number): DurationEvaluator {
  return { evaluate: () => seconds, description: `${seconds}` };
}

/**
 * `round(a × x + b)` where x is the VM's consumption of `rc`, or the node's capacity of `rc`
 * (LinearToAResourceActionDuration; e.g. migration time proportional to memory). A missing
 * resource view makes the evaluation fail. `b` must not be negative, as in BtrPlace.
 */
export function linearToResource(rc: string, a: number, b = 0): DurationEvaluator {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`linear duration over '${rc}': coefficients must be finite numbers`);
  if (b < 0) throw new RangeError(`linear duration over '${rc}': the base cannot be negative (got ${b})`);
  return {
    evaluate(model, element) {
      const r = model.resource(rc);
      if (!r) return -1;
      const x = element.kind === 'vm' ? r.consumption(element.id) : r.capacity(element.id);
      // Java's Math.round is floor(x + 0.5), which JS Math.round also is.
      return Math.round(a * x + b);
    },
    description: `round(${a} × ${rc} + ${b})`,
  };
}

export interface MemoryOverBandwidthOptions {
  /** The memory resource view (default `mem`). */
  readonly rc?: string;
  /** How many units of that resource make one GiB (default 1: the view counts GiB; 1024 for MiB). */
  readonly unitsPerGiB?: number;
  /** The node attribute giving the node's link speed in Gbit/s (default `linkGbps`). */
  readonly linkAttribute?: string;
  /** Link speed used when the source node has no such attribute (default 1 Gbit/s, BtrPlace's default network). */
  readonly defaultGbps?: number;
}

/**
 * Live migration time as memory over bandwidth: `ceil(mem GiB × 8 / Gbit/s)`, at least 1 s, the
 * link speed being the source node's `linkAttribute` when present (the destination is not known
 * when durations are evaluated, as in BtrPlace where durations come from the source model). A VM
 * that is not hosted uses `defaultGbps`. A simplified form of BtrPlace's CNetwork model, without
 * dirty-page terms.
 */
export function memoryOverBandwidth(options: MemoryOverBandwidthOptions = {}): DurationEvaluator {
  const rc = options.rc ?? 'mem';
  const unitsPerGiB = options.unitsPerGiB ?? 1;
  const linkAttribute = options.linkAttribute ?? 'linkGbps';
  const defaultGbps = options.defaultGbps ?? 1;
  if (!(unitsPerGiB > 0) || !(defaultGbps > 0)) throw new RangeError('memory over bandwidth: unitsPerGiB and defaultGbps must be positive');
  return {
    evaluate(model, element) {
      if (element.kind !== 'vm') return -1;
      const r = model.resource(rc);
      if (!r) return -1;
      const host = model.mapping.host(element.id);
      const link = host === undefined ? undefined : model.attributes.getNumber('node', host, linkAttribute);
      const gbps = link !== undefined && link > 0 ? link : defaultGbps;
      const gib = r.consumption(element.id) / unitsPerGiB;
      return Math.max(1, Math.ceil((gib * 8) / gbps - 1e-9));
    },
    description: `ceil(${rc} GiB × 8 / ${linkAttribute} Gbit/s)`,
  };
}

/**
 * The element's attribute `key` when set, otherwise `fallback` (ActionDurationFromOptionalAttribute).
 * A set attribute that is not an integer evaluates to -1, so the error names it.
 */
export function fromOptionalAttribute(key: string, fallback: DurationEvaluator): DurationEvaluator {
  return {
    evaluate(model, element) {
      const v = model.attributes.get(element.kind, element.id, key);
      if (v === undefined) return fallback.evaluate(model, element);
      return typeof v === 'number' && Number.isInteger(v) ? v : -1;
    },
    description: `attribute '${key}' if set, else ${fallback.description}`,
  };
}

/**
 * BtrPlace's migration duration: with a `net` view in the model and a migration whose source and
 * destination are known, CNetwork's formula (the `migrate` attribute is then ignored, as in
 * BtrPlace); otherwise `fallback`. Throws a DurationError naming the VM when `memUsed` is missing,
 * there is no route, or the view is malformed (with its JSON path).
 */
export function networkAware(fallback: DurationEvaluator): DurationEvaluator {
  return {
    evaluate(model, element) {
      if (element.kind !== 'vm' || element.src === undefined || element.dst === undefined || element.src === element.dst) return fallback.evaluate(model, element);
      let network: Network | undefined;
      try {
        network = networkOf(model);
      } catch (e) {
        if (e instanceof JsonReadError) throw new DurationError(`the net view is malformed: ${e.message}`);
        throw e;
      }
      if (!network) return fallback.evaluate(model, element);
      const d = networkMigrationDuration(model, network, element.id, element.src, element.dst);
      if (typeof d === 'string') throw new DurationError(d);
      return d;
    },
    description: `CNetwork's formula (memUsed over the path's bandwidth) when the model has a net view, else ${fallback.description}`,
  };
}

/**
 * One evaluator per action kind. `duration(kind, element, model)` is what the solver asks for
 * each candidate action.
 */
export class DurationModel {
  private readonly evaluators = new Map<ActionKind, DurationEvaluator>();

  /**
   * BtrPlace's bundle: attribute of the action if set, else 1 s; live migrations follow the
   * network when the model has a `net` view (`networkAware`).
   */
  static defaults(): DurationModel {
    const model = new DurationModel();
    for (const kind of ACTION_KINDS) model.register(kind, constantDuration(1));
    model.register('migrateVM', networkAware(fromOptionalAttribute(DURATION_ATTRIBUTE.migrateVM, constantDuration(1))), { attributeOverride: false });
    return model;
  }

  /**
   * Sets the evaluator of an action kind. By default the per-element attribute of that kind keeps
   * precedence (so `migrate=12` on one VM still wins over a linear model); pass
   * `{ attributeOverride: false }` to replace the evaluator outright, as BtrPlace's `register` does.
   */
  register(kind: ActionKind, evaluator: DurationEvaluator, options: { attributeOverride?: boolean } = {}): this {
    const wrapped = options.attributeOverride === false ? evaluator : fromOptionalAttribute(DURATION_ATTRIBUTE[kind], evaluator);
    this.evaluators.set(kind, wrapped);
    return this;
  }

  evaluator(kind: ActionKind): DurationEvaluator | undefined {
    return this.evaluators.get(kind);
  }

  /**
   * The duration of `kind` over `element` (a VM id, or a node id for node actions), > 0; `move`
   * gives a migration's source and destination (needed by the network model). Throws DurationError.
   */
  duration(kind: ActionKind, element: number, model: Model, move?: Move): number {
    const result = this.tryDuration(kind, element, model, move);
    if (!result.ok) throw new DurationError(result.message);
    return result.value;
  }

  /** The duration of migrating `vm` from `src` to `dst`. Throws DurationError. */
  migrationDuration(vm: number, src: NodeId, dst: NodeId, model: Model): number {
    return this.duration('migrateVM', vm, model, { src, dst });
  }

  /** Same as `duration`, as a result value. */
  tryDuration(kind: ActionKind, element: number, model: Model, move?: Move): { ok: true; value: number } | { ok: false; message: string } {
    const ref: ElementRef = move === undefined ? { kind: elementKindOf(kind), id: element } : { kind: elementKindOf(kind), id: element, src: move.src, dst: move.dst };
    const name = ref.kind === 'vm' ? model.vmName(element) : model.nodeName(element);
    const evaluator = this.evaluators.get(kind);
    if (!evaluator) return { ok: false, message: `no duration model for ${kind} (${name})` };
    let d: number;
    try {
      d = evaluator.evaluate(model, ref);
    } catch (e) {
      if (e instanceof DurationError) return { ok: false, message: e.message };
      throw e;
    }
    if (!Number.isInteger(d) || d <= 0 || d > MAX_DURATION) {
      return {
        ok: false,
        message: `the duration of ${kind} for ${name} (${label(ref)}) evaluates to ${Number.isFinite(d) ? d : String(d)}; it must be a positive whole number of seconds, at most ${MAX_DURATION} (10 years) (${evaluator.description})`,
      };
    }
    return { ok: true, value: d };
  }
}
