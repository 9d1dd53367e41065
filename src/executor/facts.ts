import type { InventorySnapshot, NamedAction, VmJob } from '../cluster/ports.js';
import type { Model, VmId } from '../model/index.js';
import { namedNodes, namedVm } from './steps.js';
import type { Run, Step } from './types.js';

/**
 * What the plan assumes about the cluster versus what a fresh read shows. Facts are by name
 * (the only identity that survives from one read to the next) and hold only what an action
 * changes or needs: each VM's state and host, each node's power state.
 */

export type VmFactState = 'running' | 'sleeping' | 'ready' | 'init' | 'killed';

export interface VmFacts {
  readonly state: VmFactState;
  readonly host: string | null;
}

export interface ClusterFacts {
  readonly vms: Readonly<Record<string, VmFacts>>;
  readonly nodes: Readonly<Record<string, 'online' | 'offline'>>;
}

type MutableFacts = { vms: Record<string, VmFacts>; nodes: Record<string, 'online' | 'offline'> };

/** A record without a prototype, so that no element name (`__proto__`, say) is special. */
function record<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const r = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) r[k] = from[k] as T;
  return r;
}

function copyFacts(facts: ClusterFacts): MutableFacts {
  return { vms: record(facts.vms), nodes: record(facts.nodes) };
}

export function factsOf(model: Model): ClusterFacts {
  const facts: MutableFacts = { vms: record(), nodes: record() };
  for (const v of model.knownVMs()) {
    const host = model.mapping.host(v);
    facts.vms[model.vmName(v)] = { state: model.vmState(v), host: host === undefined ? null : model.nodeName(host) };
  }
  for (const n of model.mapping.nodes()) facts.nodes[model.nodeName(n)] = model.mapping.isOnline(n) ? 'online' : 'offline';
  return facts;
}

/**
 * The facts of these VMs, of every VM the given nodes host, and of those nodes: all that a step's
 * checks read. `factsOf` costs O(cluster) per step (30,000 VMs: the bulk of a step's time); this
 * is O(what the step touches). Falls back to `factsOf` when some VM has no name to look it up by.
 */
export function factsAround(model: Model, nodes: readonly string[], vms: Iterable<string>): ClusterFacts {
  const vmIds = model.vmNames;
  const nodeIds = model.nodeNames;
  if (!vmIds || !nodeIds || vmIds.size() < model.mapping.vmCount()) return factsOf(model);
  const facts: MutableFacts = { vms: record(), nodes: record() };
  const addVm = (v: number): void => {
    const host = model.mapping.host(v);
    facts.vms[model.vmName(v)] = { state: model.vmState(v), host: host === undefined ? null : model.nodeName(host) };
  };
  for (const name of vms) {
    const v = vmIds.resolve(name);
    if (v !== undefined) addVm(v);
  }
  for (const name of nodes) {
    const n = nodeIds.resolve(name);
    if (n === undefined || !model.mapping.hasNode(n)) continue;
    facts.nodes[name] = model.mapping.isOnline(n) ? 'online' : 'offline';
    for (const v of model.mapping.runningVMs(n)) addVm(v);
    for (const v of model.mapping.sleepingVMs(n)) addVm(v);
  }
  return facts;
}

/** The facts once `action` has happened (a new object). An allocation changes no fact here. */
export function applyNamed(facts: ClusterFacts, action: NamedAction): ClusterFacts {
  const next = copyFacts(facts);
  applyInPlace(next, action);
  return next;
}

/** `applyNamed` on facts the caller owns (no copy): for expectations kept up to date step by step. */
export function applyNamedInPlace(facts: ClusterFacts, a: NamedAction): void {
  const index = hostIndexes.get(facts);
  const vm = 'vm' in a ? a.vm : null;
  const before = vm === null ? undefined : facts.vms[vm];
  applyInPlace(facts as MutableFacts, a);
  if (!index || vm === null) return;
  if (before) indexVm(index, vm, before, 'delete');
  const after = facts.vms[vm];
  if (after) indexVm(index, vm, after, 'add');
}

function applyInPlace(facts: MutableFacts, a: NamedAction): void {
  switch (a.kind) {
    case 'migrateVM':
    case 'resumeVM':
      facts.vms[a.vm] = { state: 'running', host: a.to };
      return;
    case 'bootVM':
      facts.vms[a.vm] = { state: 'running', host: a.node };
      return;
    case 'shutdownVM':
      facts.vms[a.vm] = { state: 'ready', host: null };
      return;
    case 'suspendVM':
      facts.vms[a.vm] = { state: 'sleeping', host: a.to };
      return;
    case 'killVM':
      facts.vms[a.vm] = { state: 'killed', host: null };
      return;
    case 'forgeVM':
      // a forged VM is ready: the boot that follows must find it so, or it would see drift
      facts.vms[a.vm] = { state: 'ready', host: null };
      return;
    case 'bootNode':
      facts.nodes[a.node] = 'online';
      return;
    case 'shutdownNode':
      facts.nodes[a.node] = 'offline';
      return;
    case 'allocate':
      return;
  }
}

/**
 * What the cluster should look like now: `origin` plus every succeeded step, in planned end
 * order. `applied` names steps whose effect `origin` already shows (when the origin is the live
 * read a re-plan started from, the steps that had finished by then), so that they are not
 * replayed over a cluster that has moved on since.
 */
export function expectedFacts(origin: ClusterFacts, run: Run, applied: ReadonlySet<string> = new Set()): ClusterFacts {
  const facts = copyFacts(origin);
  const done = run.steps.filter((s) => s.state === 'succeeded' && !applied.has(s.id));
  done.sort((x, y) => x.plannedEnd - y.plannedEnd);
  for (const s of done) applyInPlace(facts, s.action);
  return facts;
}

/** The actions of the other running steps: their effects may or may not show in a read yet. */
export function inFlightActions(run: Run, stepId: string): NamedAction[] {
  return run.steps.filter((s) => s.state === 'running' && s.id !== stepId).map((s) => s.action);
}

// ---------------------------------------------------------------------------------------------
// Preflight
// ---------------------------------------------------------------------------------------------

export type Preflight = { kind: 'ok' } | { kind: 'drift'; drift: string[] } | { kind: 'blocked'; reason: string };

/**
 * Compares a fresh read with what the plan expects before a step's effect starts. `blocked`: a
 * host it touches does not answer, or its VM (node) is busy with another operation; waiting may
 * help, a new plan would not. `drift`: the step's VM, or a node it touches (power, the VMs it
 * hosts), is not as expected, or the action's precondition does not hold live; a new plan is
 * needed. `inFlight` are the actions of the other running steps (see `inFlightActions`): the
 * VMs and nodes they touch may show either side of their change, which is not drift.
 */
export function preflight(expected: ClusterFacts, live: InventorySnapshot, step: Step, inFlight: readonly NamedAction[] = []): Preflight {
  const a = step.action;
  const down = unreachableHost(live, namedNodes(a));
  if (down !== undefined) return { kind: 'blocked', reason: down };
  const busy = busyWith(live, a);
  if (busy !== undefined) return { kind: 'blocked', reason: busy };
  const vm = namedVm(a);
  const expectedThere = namedNodes(a).flatMap((node) => [...hostedOn(expected, node)]);
  const now = factsAround(live.model, namedNodes(a), vm === null ? expectedThere : [vm, ...expectedThere]);
  const tolerated = toleratedBy(inFlight);
  const drift: string[] = [];
  if (vm !== null && !tolerated.vms.has(vm)) drift.push(...vmDrift(vm, expected, now));
  const skip = new Set(tolerated.vms);
  if (vm !== null) skip.add(vm);
  for (const node of namedNodes(a)) drift.push(...nodeDrift(node, expected, now, skip, tolerated.nodes.has(node)));
  if (drift.length === 0) {
    const why = precondition(now, live.model, a);
    if (why !== undefined) drift.push(why);
  }
  return drift.length > 0 ? { kind: 'drift', drift } : { kind: 'ok' };
}

/** `host r2-h1 is not answering: <error>` for the first named host the read could not reach. */
function unreachableHost(live: InventorySnapshot, nodes: readonly string[]): string | undefined {
  for (const node of nodes) {
    const reading = live.hosts.find((h) => h.name === node);
    if (reading && !reading.reachable) return `host ${node} is not answering${reading.error ? `: ${reading.error}` : ''}`;
  }
  return undefined;
}

const JOB_WORDS: Readonly<Record<VmJob['kind'], string>> = {
  migrate: 'migration',
  boot: 'boot',
  shutdown: 'shutdown',
  suspend: 'suspend',
  resume: 'resume',
  allocate: 'allocation',
  bootNode: 'node boot',
  shutdownNode: 'node shutdown',
};

function jobWords(job: VmJob): string {
  return `${JOB_WORDS[job.kind] ?? job.kind} in flight`;
}

/** The job the hypervisor runs on the action's VM (its node for node actions), if any. */
function jobOf(live: InventorySnapshot, a: NamedAction): { subject: string; job: VmJob } | undefined {
  const [subject, key] = a.kind === 'bootNode' || a.kind === 'shutdownNode' ? [`host ${a.node}`, a.node] : [`VM ${a.vm}`, a.vm];
  const job = live.jobs.get(key);
  return job ? { subject, job } : undefined;
}

function busyWith(live: InventorySnapshot, a: NamedAction): string | undefined {
  const found = jobOf(live, a);
  return found ? `${found.subject} is busy: ${jobWords(found.job)}` : undefined;
}

/** VMs and nodes other running steps are changing. */
function toleratedBy(inFlight: readonly NamedAction[]): { vms: Set<string>; nodes: Set<string> } {
  const vms = new Set<string>();
  const nodes = new Set<string>();
  for (const a of inFlight) {
    const vm = namedVm(a);
    if (vm !== null) vms.add(vm);
    else if (a.kind === 'bootNode' || a.kind === 'shutdownNode') nodes.add(a.node);
  }
  return { vms, nodes };
}

/** `running on r1-h2`, `ready`, `not created yet`. */
function whereabouts(f: VmFacts): string {
  switch (f.state) {
    case 'running':
    case 'sleeping':
      return `${f.state} on ${f.host ?? '?'}`;
    case 'ready':
      return 'ready';
    case 'init':
      return 'not created yet';
    case 'killed':
      return 'killed';
  }
}

/** A VM a read does not show has not been created yet or has gone: either is fine when expected so. */
function absentIsFine(f: VmFacts): boolean {
  return f.state === 'init' || f.state === 'killed';
}

function vmDrift(vm: string, expected: ClusterFacts, now: ClusterFacts): string[] {
  const want: VmFacts = expected.vms[vm] ?? { state: 'init', host: null };
  const got = now.vms[vm];
  if (got === undefined) return absentIsFine(want) ? [] : [`VM ${vm} is not in the inventory, the plan expected it ${whereabouts(want)}`];
  if (got.state === want.state && got.host === want.host) return [];
  if (absentIsFine(got) && absentIsFine(want)) return [];
  if (got.state === want.state) return [`VM ${vm} is on ${got.host ?? 'no host'}, the plan expected ${want.host ?? 'no host'}`];
  return [`VM ${vm} is ${whereabouts(got)}, the plan expected it ${whereabouts(want)}`];
}

/** The VMs a node hosts (running or sleeping) according to `facts`. */
function hostedOn(facts: ClusterFacts, node: string): Set<string> {
  return new Set(hostIndex(facts).get(node));
}

/**
 * Node → the VMs it hosts, per facts object, built once: a step's checks ask it for every node they
 * touch, and a scan of 30,000 VMs each time was the bulk of a step's cost. `applyNamedInPlace`
 * keeps it current; the other functions never change facts they were given.
 */
const hostIndexes = new WeakMap<ClusterFacts, Map<string, Set<string>>>();

function hostIndex(facts: ClusterFacts): Map<string, Set<string>> {
  let index = hostIndexes.get(facts);
  if (index) return index;
  index = new Map();
  for (const name in facts.vms) indexVm(index, name, facts.vms[name] as VmFacts, 'add');
  hostIndexes.set(facts, index);
  return index;
}

function indexVm(index: Map<string, Set<string>>, name: string, f: VmFacts, how: 'add' | 'delete'): void {
  if (f.host === null || (f.state !== 'running' && f.state !== 'sleeping')) return;
  let set = index.get(f.host);
  if (!set) index.set(f.host, (set = new Set()));
  if (how === 'add') set.add(name);
  else set.delete(name);
}

function nodeDrift(node: string, expected: ClusterFacts, now: ClusterFacts, skipVms: ReadonlySet<string>, powerInFlight: boolean): string[] {
  const got = now.nodes[node];
  if (got === undefined) return [`host ${node} is not in the inventory`];
  const want = expected.nodes[node];
  if (want === undefined) return [`host ${node} was not in the plan's model`];
  const drift: string[] = [];
  if (got !== want && !powerInFlight) drift.push(`host ${node} is ${got}, the plan expected it ${want}`);
  const wantVms = hostedOn(expected, node);
  const gotVms = hostedOn(now, node);
  for (const vm of gotVms) if (!wantVms.has(vm) && !skipVms.has(vm)) drift.push(`${node} hosts ${vm}, which the plan did not expect`);
  for (const vm of wantVms) {
    if (gotVms.has(vm) || skipVms.has(vm)) continue;
    const f = now.vms[vm];
    drift.push(`${vm} is no longer on ${node}${f ? ` (it is ${whereabouts(f)})` : ''}, the plan expected it there`);
  }
  return drift;
}

/** Why the action cannot start on the live facts (its precondition), or undefined. */
function precondition(now: ClusterFacts, model: Model, a: NamedAction): string | undefined {
  const vmIs = (vm: string): VmFacts => now.vms[vm] ?? { state: 'init', host: null };
  const mustRunOn = (vm: string, node: string): string | undefined => {
    const f = vmIs(vm);
    return f.state === 'running' && f.host === node ? undefined : `${vm} is not running on ${node} (it is ${whereabouts(f)})`;
  };
  const online = (node: string): string | undefined => (now.nodes[node] === 'online' ? undefined : `host ${node} is not online`);
  switch (a.kind) {
    case 'migrateVM':
      if (a.from === a.to) return `the source and the destination of ${a.vm} are both ${a.to}`;
      return mustRunOn(a.vm, a.from) ?? online(a.to);
    case 'suspendVM':
      return mustRunOn(a.vm, a.from) ?? online(a.to);
    case 'shutdownVM':
      return mustRunOn(a.vm, a.node);
    case 'bootVM':
      return vmIs(a.vm).state === 'ready' ? online(a.node) : `${a.vm} is not ready (it is ${whereabouts(vmIs(a.vm))})`;
    case 'resumeVM': {
      const f = vmIs(a.vm);
      return f.state === 'sleeping' && f.host === a.from ? online(a.to) : `${a.vm} is not sleeping on ${a.from} (it is ${whereabouts(f)})`;
    }
    case 'killVM': {
      const f = vmIs(a.vm);
      if (f.state === 'killed') return `${a.vm} has already been killed`;
      return f.host !== null && a.node !== null && f.host !== a.node ? `${a.vm} is on ${f.host}, not on ${a.node}` : undefined;
    }
    case 'forgeVM':
      return vmIs(a.vm).state === 'init' ? undefined : `${a.vm} already exists (it is ${whereabouts(vmIs(a.vm))})`;
    case 'bootNode':
      return now.nodes[a.node] === 'offline' ? undefined : `host ${a.node} is not offline`;
    case 'shutdownNode': {
      const hosted = hostedOn(now, a.node);
      if (now.nodes[a.node] !== 'online') return `host ${a.node} is not online`;
      return hosted.size === 0 ? undefined : `host ${a.node} still hosts ${[...hosted].join(', ')}`;
    }
    case 'allocate':
      if (!model.resource(a.rc)) return `there is no resource '${a.rc}'`;
      return mustRunOn(a.vm, a.node);
  }
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

export interface Verification {
  readonly result: 'done' | 'in-flight' | 'not-done';
  readonly detail: string;
}

/**
 * Whether a step's action happened, from a fresh read: `done` when the read proves it;
 * `in-flight` when the hypervisor is still at it or a host it touches did not answer (read
 * again); `not-done` otherwise, with what the read shows.
 */
export function verify(live: InventorySnapshot, step: Step): Verification {
  const a = step.action;
  const vm = namedVm(a);
  const proof = proveDone(factsAround(live.model, namedNodes(a), vm === null ? [] : [vm]), live.model, a);
  if (proof.done) return { result: 'done', detail: proof.detail };
  const found = jobOf(live, a);
  if (found) return { result: 'in-flight', detail: `${found.subject}: ${jobWords(found.job)} (${Math.round(found.job.fraction * 100)}%)` };
  const down = unreachableHost(live, namedNodes(a));
  if (down !== undefined) return { result: 'in-flight', detail: `${down}, reading again` };
  return { result: 'not-done', detail: proof.detail };
}

function proveDone(now: ClusterFacts, model: Model, a: NamedAction): { done: boolean; detail: string } {
  const vmIs = (vm: string): VmFacts | undefined => now.vms[vm];
  const is = (vm: string, state: VmFactState, host: string | null): { done: boolean; detail: string } => {
    const f = vmIs(vm);
    const where = f ? whereabouts(f) : 'not in the inventory';
    const want = whereabouts({ state, host });
    return f !== undefined && f.state === state && f.host === host ? { done: true, detail: `${vm} is ${want}` } : { done: false, detail: `${vm} is ${where}, not ${want}` };
  };
  const power = (node: string, state: 'online' | 'offline'): { done: boolean; detail: string } => {
    const got = now.nodes[node];
    return { done: got === state, detail: `host ${node} is ${got ?? 'not in the inventory'}` };
  };
  switch (a.kind) {
    case 'migrateVM':
    case 'resumeVM':
      return is(a.vm, 'running', a.to);
    case 'bootVM':
      return is(a.vm, 'running', a.node);
    case 'suspendVM':
      return is(a.vm, 'sleeping', a.to);
    case 'shutdownVM':
    case 'forgeVM':
      return is(a.vm, 'ready', null);
    case 'killVM': {
      const f = vmIs(a.vm);
      // a VM the read names but does not place (init) does not exist on the cluster any more
      return f === undefined || absentIsFine(f) ? { done: true, detail: `${a.vm} is gone` } : { done: false, detail: `${a.vm} is still ${whereabouts(f)}` };
    }
    case 'bootNode':
      return power(a.node, 'online');
    case 'shutdownNode':
      return power(a.node, 'offline');
    case 'allocate':
      return allocated(now, model, a);
  }
}

function allocated(now: ClusterFacts, model: Model, a: Extract<NamedAction, { kind: 'allocate' }>): { done: boolean; detail: string } {
  const f = now.vms[a.vm];
  if (f === undefined || f.state !== 'running' || f.host !== a.node) return { done: false, detail: `${a.vm} is ${f ? whereabouts(f) : 'not in the inventory'}, not running on ${a.node}` };
  const id = resolveVm(model, a.vm);
  const rc = model.resource(a.rc);
  if (id === undefined || rc === undefined) return { done: false, detail: `the read has no '${a.rc}' for ${a.vm}` };
  const got = rc.consumption(id);
  return got === a.amount ? { done: true, detail: `${a.vm} has ${got} '${a.rc}'` } : { done: false, detail: `${a.vm} has ${got} '${a.rc}', not ${a.amount}` };
}

/** A VM's id in one snapshot, from its name (or its `vm#<id>` label when it has none). */
export function resolveVm(model: Model, name: string): VmId | undefined {
  const named = model.vmNames?.resolve(name);
  if (named !== undefined) return named;
  const m = /^vm#(\d+)$/.exec(name);
  if (m?.[1] === undefined) return undefined;
  const id = Number(m[1]);
  return model.vmNames?.nameOf(id) === undefined && model.knownVMs().has(id) ? id : undefined;
}
