import type { ErrorBody, Reply } from '../../src/contract/errors.js';
import type { InventorySnapshot } from '../../src/cluster/ports.js';
import type { PlanResult } from '../../src/solver/planner.js';
import type { Constraint } from '../../src/catalogue/constraint.js';
import type { Instance } from '../../src/instance/instance.js';
import type { InputOf, NamesOfKind, OutputOf, PlanOptionsInput } from '../../src/contract/procedures.js';
import { parseOutput } from '../../src/contract/validate.js';
import type { ScriptInput } from '../../src/contract/wire.js';
import type { ExecEvent, Run, Step } from '../../src/executor/types.js';
import type { RunDriver } from '../services/execution.js';

/**
 * What one handler table remembers between calls: subscribers, the plans it computed (by the
 * client's requestId), the plannings still under way, the runs this process drives, and the last
 * read of each cluster. One Session per table; the transports (IPC, HTTP/WebSocket) share it.
 */

export type SubscriptionName = NamesOfKind<'subscription'>;
export type EventOf<N extends SubscriptionName> = OutputOf<N>;
/** A subscriber receives envelopes: events, or one error when its subscription is refused. */
export type EventListener<N extends SubscriptionName> = (reply: Reply<EventOf<N>>) => void;

/** Which events a subscription's input selects. */
const SELECTS: { readonly [N in SubscriptionName]: (input: InputOf<N>, event: EventOf<N>) => boolean } = {
  'plan:progress': (input, event) => event.requestId === input.requestId,
  'run:changed': (input, event) => input.runId === undefined || event.run.runId === input.runId,
  'run:step': (input, event) => event.runId === input.runId,
  'cluster:changed': (input, event) => input.clusterId === undefined || event.clusterId === input.clusterId,
  'cluster:password-needed': () => true,
};

/** Someone to deliver envelopes to, until unsubscribed. */
interface Recipient {
  readonly listener: (reply: Reply<unknown>) => void;
  active: boolean;
}

interface Subscriber extends Recipient {
  readonly name: SubscriptionName;
  readonly input: unknown;
}

export interface HubOptions {
  /** Validate every event against the contract before it leaves (tests, development). */
  readonly checkEvents: boolean;
  /** Where a listener's own exception goes (it must not reach the service that emitted). */
  readonly onListenerError: (error: unknown) => void;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly options: HubOptions) {}

  add<N extends SubscriptionName>(name: N, input: InputOf<N>, listener: EventListener<N>): () => void {
    const sub: Subscriber = { name, input, listener: listener as (reply: Reply<unknown>) => void, active: true };
    this.subscribers.add(sub);
    return () => {
      sub.active = false;
      this.subscribers.delete(sub);
    };
  }

  /**
   * Delivers an event to the subscribers it concerns. Delivery is deferred to a microtask: events
   * are emitted from inside a RunDriver's dispatch, and a listener that answers at once (approves
   * the next step) must not re-enter it, nor throw into it.
   */
  emit<N extends SubscriptionName>(name: N, event: EventOf<N>): number {
    const selects = SELECTS[name] as (input: unknown, event: EventOf<N>) => boolean;
    const targets = [...this.subscribers].filter((s) => s.name === name && selects(s.input, event));
    if (targets.length === 0) return 0;
    const reply = this.envelope(name, event);
    for (const sub of targets) queueMicrotask(() => this.deliver(sub, reply));
    return targets.length;
  }

  /** Refuses a subscription: its listener gets the error once. */
  refuse(listener: (reply: Reply<unknown>) => void, error: ErrorBody): void {
    const recipient: Recipient = { listener, active: true };
    queueMicrotask(() => this.deliver(recipient, { ok: false, error }));
  }

  clear(): void {
    for (const s of this.subscribers) s.active = false;
    this.subscribers.clear();
  }

  /** The event, or (when checked) the contract violation it would be: a bug, said to the client. */
  private envelope<N extends SubscriptionName>(name: N, event: EventOf<N>): Reply<EventOf<N>> {
    if (!this.options.checkEvents) return { ok: true, value: event };
    const checked = parseOutput(name, event);
    if (checked.ok) return { ok: true, value: event };
    return { ok: false, error: { code: 'internal', message: `a ${name} event does not follow the contract: ${checked.error.message}` } };
  }

  private deliver(recipient: Recipient, reply: Reply<unknown>): void {
    if (!recipient.active) return;
    try {
      recipient.listener(reply);
    } catch (e) {
      this.options.onListenerError(e);
    }
  }
}

// ---- plans computed by plan:compute -----------------------------------------------------------

/**
 * What run:create needs of a computed plan: where it planned, how, and the hash it answered. Held
 * by requestId after a plan:compute of this session, or rebuilt from the journal by planId.
 */
export interface HeldPlan {
  readonly requestId: string;
  /** Set when rebuilt from the journal (History): the run is linked to this kept plan. */
  readonly planId?: string;
  /** null: planned on an instance given whole, not on a cluster. */
  readonly clusterId: string | null;
  readonly script: ScriptInput | undefined;
  readonly options: PlanOptionsInput;
  readonly constraintHash: string;
  /** False when the planner found no plan (infeasible, or no plan within the time). */
  readonly hasPlan: boolean;
  /** The plan itself, so that run:create journals exactly what the operator was shown. */
  readonly planned?: { readonly result: PlanResult; readonly constraintHash: string; readonly constraints: readonly Constraint[]; readonly computedAt?: number };
}

/** The last plans computed, by requestId; the oldest are forgotten past `limit`. */
export class HeldPlans {
  private readonly plans = new Map<string, HeldPlan>();

  constructor(private readonly limit: number) {}

  hold(plan: HeldPlan): void {
    this.plans.delete(plan.requestId);
    this.plans.set(plan.requestId, plan);
    while (this.plans.size > this.limit) {
      const oldest = this.plans.keys().next().value as string;
      this.plans.delete(oldest);
    }
  }

  get(requestId: string): HeldPlan | undefined {
    return this.plans.get(requestId);
  }

  forget(requestId: string): void {
    this.plans.delete(requestId);
  }
}

// ---- runs driven by this process ------------------------------------------------------------

interface LiveRun {
  readonly driver: RunDriver;
  /** The run as last told to subscribers: step events are what changed since. */
  last: Run;
  readonly unsubscribe: () => void;
}

/**
 * The runs created or resumed in this process, each with its RunDriver. Every accepted change of
 * one goes to run:changed, and each step it touched to run:step.
 */
export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();

  constructor(private readonly hub: EventHub) {}

  get(runId: string): RunDriver | undefined {
    return this.runs.get(runId)?.driver;
  }

  /** Starts telling subscribers about the driver's run, beginning with its state now. */
  adopt(driver: RunDriver): void {
    const entry: LiveRun = {
      driver,
      last: driver.run,
      unsubscribe: driver.subscribe((run, cause, refused) => {
        // a refused event changed nothing: the refusal goes back to whoever sent it, not to everyone
        if (refused !== undefined) return;
        this.changed(entry, run, cause);
      }),
    };
    this.runs.set(driver.runId, entry);
    this.hub.emit('run:changed', { run: driver.run, progress: driver.progress() });
  }

  /** Stops listening and stops the drivers' timers; effects under way finish on the cluster. */
  close(): void {
    for (const entry of this.runs.values()) {
      entry.unsubscribe();
      entry.driver.close();
    }
    this.runs.clear();
  }

  private changed(entry: LiveRun, run: Run, cause: ExecEvent | null): void {
    const before = entry.last;
    entry.last = run;
    this.hub.emit('run:changed', { run, progress: entry.driver.progress() });
    if (cause === null) return;
    for (const step of touchedSteps(before, run)) this.hub.emit('run:step', { runId: run.runId, revision: run.revision, event: cause, step });
  }
}

/**
 * The steps an event changed. The executor replaces a step object only when it changes it (runs
 * are never mutated), so identity tells; a step new to the run (a re-plan) counts as touched.
 */
export function touchedSteps(before: Run, after: Run): Step[] {
  const old = new Map(before.steps.map((s) => [s.id, s]));
  return after.steps.filter((s) => old.get(s.id) !== s);
}

// ---- the last read of each cluster ----------------------------------------------------------

export class ClusterReads {
  private readonly reads = new Map<string, InventorySnapshot>();

  remember(snapshot: InventorySnapshot): void {
    this.reads.set(snapshot.clusterId, snapshot);
  }

  last(clusterId: string): InventorySnapshot | undefined {
    return this.reads.get(clusterId);
  }
}

// ---- instances opened for what-ifs -----------------------------------------------------------

/**
 * Instances given once by instance:open and named by id afterwards. Bounded: an operator compares
 * a few files, and each 40,000-VM instance holds tens of megabytes; the least recently used goes.
 */
export class OpenInstances {
  private readonly byId = new Map<string, Instance>();
  private next = 0;

  constructor(private readonly limit: number) {}

  open(instance: Instance): string {
    const instanceId = `instance-${++this.next}`;
    this.byId.set(instanceId, instance);
    while (this.byId.size > this.limit) this.byId.delete(this.byId.keys().next().value as string);
    return instanceId;
  }

  /** The instance (marked most recently used), or undefined once dropped. */
  get(instanceId: string): Instance | undefined {
    const instance = this.byId.get(instanceId);
    if (instance === undefined) return undefined;
    this.byId.delete(instanceId);
    this.byId.set(instanceId, instance);
    return instance;
  }
}

/** Everything a handler table remembers. */
export class Session {
  readonly hub: EventHub;
  readonly held: HeldPlans;
  readonly live: LiveRuns;
  readonly reads = new ClusterReads();
  readonly instances = new OpenInstances(4);
  /** The plan:compute calls under way, by requestId (plan:cancel aborts them). */
  readonly planning = new Map<string, AbortController>();

  constructor(options: HubOptions & { readonly keepPlans: number }) {
    this.hub = new EventHub(options);
    this.held = new HeldPlans(options.keepPlans);
    this.live = new LiveRuns(this.hub);
  }

  close(): void {
    for (const controller of this.planning.values()) controller.abort();
    this.planning.clear();
    this.live.close();
    this.hub.clear();
  }
}
