import { hostname } from 'node:os';

import type { InventoryScope, InventorySnapshot } from '../../src/cluster/ports.js';
import { type ErrorBody, type ErrorEnvelope, type Reply, fail, ok } from '../../src/contract/errors.js';
import { type ClusterChangedEvent, type PlanComputed, progressToWire } from '../../src/contract/events.js';
import { stampOperatorEvent } from '../../src/contract/executor.js';
import { type ClusterSummary, type InputOf, type NamesOfKind, type OutputOf, PLAN_DEFAULTS, PROCEDURES, type PlanOptionsInput, type ProcedureName, type RunSummary, isProcedureName } from '../../src/contract/procedures.js';
import { type AnyRequest, parseOutput, parseRequest } from '../../src/contract/validate.js';
import { type InstanceJson, type OriginRef, decodeInstance, sameOrigin, snapshotToWire } from '../../src/contract/wire.js';
import { constraintSetHash } from '../../src/dsl/constraint-set.js';
import { parseScript } from '../../src/dsl/script.js';
import { isFinal, transition } from '../../src/executor/machine.js';
import { runProgress } from '../../src/executor/progress.js';
import type { Run, RunProgress } from '../../src/executor/types.js';
import type { Instance } from '../../src/instance/instance.js';
import { renderReport, reportData } from '../../src/report/maintenance-report.js';
import { type Journal, JournalError } from '../node/journal/journal.js';
import { PasswordRelay } from '../node/libvirt/passwords.js';
import { ClusterUnavailableError, type ClusterService, UnknownClusterError } from '../services/cluster.js';
import type { RunDriver } from '../services/execution.js';
import { PlanHistory, planSourceOf } from '../services/plan-history.js';
import { planOutcomeToWire, planRequestErrorToWire, planRequestFromWire } from '../services/plan-wire.js';
import { type PlanOutcome, PlanRequestError, type PlanningService } from '../services/planning.js';
import type { RunPlanOptions, RunService } from '../services/runs.js';
import { type EventOf, type HeldPlan, Session, type SubscriptionName } from './session.js';

/**
 * The one handler table: every procedure of the contract (src/contract/procedures.ts) over the
 * main-process services. Electron IPC and the local HTTP/WebSocket mode mount this same table, so
 * a front end gets the same answers whichever way it asks.
 *
 * Every input is parsed by the contract first (a malformed message is refused with its location,
 * before any service sees it); every answer is an envelope, never a thrown error; in tests and
 * development every answer is also checked against the contract's output schema.
 */

export interface RpcServices {
  readonly home: string;
  readonly journal: Journal;
  readonly clusters: ClusterService;
  readonly planning: PlanningService;
  readonly runs: RunService;
  /** `user@host` of the operator of this session: the `by` of every event it sends. */
  readonly actor: string;
  /** History's computed plans (default: kept in `journal` by a PlanHistory of this table's own). */
  readonly planHistory?: PlanHistory;
}

export interface RpcOptions {
  /** Check every reply and event against the contract (default: unless NODE_ENV is 'production'). */
  readonly checkOutputs?: boolean;
  /** The clock that stamps operator events (default Date.now). */
  readonly now?: () => number;
  /** The full story of an internal error (its stack), for the main process's log; the client gets one line. */
  readonly onInternalError?: (where: string, error: unknown) => void;
  /** How many computed plans are kept for run:create (default 32; the oldest is forgotten first). */
  readonly keepPlans?: number;
}

export type CallableName = Exclude<ProcedureName, NamesOfKind<'subscription'>>;
export type { SubscriptionName };
/** What invoke answers for a name: the procedure's output, or unknown for a name it refuses. */
export type ValueOf<N extends string> = N extends CallableName ? OutputOf<N> : unknown;
export type EventFor<N extends string> = N extends SubscriptionName ? EventOf<N> : unknown;

export interface RpcServer {
  /** Calls a query or command. Never throws: failures are `{ ok: false, error }`. */
  invoke<N extends string>(name: N, rawInput: unknown): Promise<Reply<ValueOf<N>>>;
  /**
   * Subscribes to `plan:progress`, `run:changed`, `run:step` or `cluster:changed`. The listener gets
   * `{ ok: true, value: event }` per event; a refused subscription (malformed input, not a
   * subscription) gets one `{ ok: false, error }` and nothing after. Returns the unsubscribe.
   */
  subscribe<N extends string>(name: N, rawInput: unknown, listener: (reply: Reply<EventFor<N>>) => void): () => void;
  /** Stops listening to the runs and their timers, cancels plannings, drops subscribers. */
  close(): void;
}

/** What every handler reaches. */
interface Ctx {
  readonly services: RpcServices;
  readonly session: Session;
  readonly now: () => number;
  /** Passwords asked of this front end (cluster:password-needed / cluster:password). */
  readonly passwords: PasswordRelay;
  /** Computed plans kept for History (plan:list, plan:get). */
  readonly plans: PlanHistory;
}

type Handler<N extends CallableName> = (ctx: Ctx, input: InputOf<N>) => Promise<Reply<OutputOf<N>>>;

export function createHandlers(services: RpcServices, options: RpcOptions = {}): RpcServer {
  const checkOutputs = options.checkOutputs ?? process.env['NODE_ENV'] !== 'production';
  const onInternalError = options.onInternalError ?? logInternalError;
  const session = new Session({ checkEvents: checkOutputs, keepPlans: options.keepPlans ?? 32, onListenerError: (e) => onInternalError('a subscriber', e) });
  const passwords = new PasswordRelay((question) => session.hub.emit('cluster:password-needed', question));
  // logins that need a password ask this front end from now on (the CLI's terminal prompt no more)
  services.clusters.usePasswordPrompt(passwords.prompt);
  const ctx: Ctx = { services, session, now: options.now ?? Date.now, passwords, plans: services.planHistory ?? new PlanHistory({ journal: services.journal }) };

  async function invoke(name: string, rawInput: unknown): Promise<Reply<unknown>> {
    if (isSubscription(name)) return notCallable(name);
    const parsed = parseRequest(name, rawInput);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    let reply: Reply<unknown>;
    try {
      reply = await call(ctx, parsed.value);
    } catch (e) {
      return errorReply(parsed.value.name, e, onInternalError);
    }
    return checkOutputs ? checkReply(parsed.value.name, reply) : reply;
  }

  function subscribe(name: string, rawInput: unknown, listener: (reply: Reply<unknown>) => void): () => void {
    const refused = (error: ErrorBody): (() => void) => {
      session.hub.refuse(listener, error);
      return () => {};
    };
    if (isProcedureName(name) && !isSubscription(name)) return refused(notSubscribable(name).error);
    const parsed = parseRequest(name, rawInput);
    if (!parsed.ok) return refused(parsed.error);
    const request = parsed.value as Extract<AnyRequest, { name: SubscriptionName }>;
    return session.hub.add(request.name, request.input as never, listener);
  }

  return {
    invoke: invoke as RpcServer['invoke'],
    subscribe: subscribe as RpcServer['subscribe'],
    close: () => {
      passwords.close();
      session.close();
    },
  };
}

// ---- the table ------------------------------------------------------------------------------

const HANDLERS: { readonly [N in CallableName]: Handler<N> } = {
  'cluster:list': listClusters,
  'cluster:snapshot': snapshotCluster,
  'cluster:refresh': refreshCluster,
  'cluster:add-config': addClusterConfig,
  'cluster:test': testCluster,
  'cluster:trust-host-key': trustClusterHostKey,
  'cluster:config-read': readClusterConfig,
  'cluster:config-save': saveClusterConfig,
  'cluster:password': answerPassword,
  'instance:open': openInstance,
  'constraints:lint': lintScript,
  'plan:compute': computePlan,
  'plan:cancel': cancelPlan,
  'plan:list': listPlans,
  'plan:get': getPlan,
  'run:create': createRun,
  'run:get': getRun,
  'run:list': listRuns,
  'run:event': sendEvent,
  'run:report': reportRun,
  'run:rehearse': rehearseRun,
  'run:audit': auditRun,
};

function call(ctx: Ctx, request: AnyRequest): Promise<Reply<unknown>> {
  // the request's name and input are correlated by parseRequest; TypeScript cannot see it through the union
  const handler = HANDLERS[request.name as CallableName] as (ctx: Ctx, input: unknown) => Promise<Reply<unknown>>;
  return handler(ctx, request.input);
}

function isSubscription(name: string): name is SubscriptionName {
  return isProcedureName(name) && PROCEDURES[name].kind === 'subscription';
}

function notCallable(name: SubscriptionName): ErrorEnvelope {
  return fail('invalid-request', `$.name: ${name} is a subscription: subscribe to it rather than invoke it`, { path: '$.name' });
}

function notSubscribable(name: ProcedureName): ErrorEnvelope {
  return fail('invalid-request', `$.name: ${name} is a ${PROCEDURES[name].kind}, not a subscription: invoke it`, { path: '$.name' });
}

// ---- errors and the output check ------------------------------------------------------------

/** A thrown error as an envelope: the services' own errors keep their meaning, anything else is a bug. */
function errorReply(name: ProcedureName, e: unknown, onInternalError: (where: string, error: unknown) => void): ErrorEnvelope {
  if (e instanceof PlanRequestError) return planRequestErrorToWire(e);
  if (e instanceof UnknownClusterError) return fail('not-found', e.message);
  if (e instanceof ClusterUnavailableError) return fail('unavailable', e.message);
  // the journal's messages are written for the operator (disk full, read-only, locked)
  if (e instanceof JournalError) return fail('unavailable', e.message);
  onInternalError(name, e);
  // one line, no stack: the stack is for the main process's log, not for a client
  return fail('internal', `${name}: ${firstLine(e instanceof Error ? e.message : String(e))}`);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function logInternalError(where: string, error: unknown): void {
  console.error(`ferry rpc: internal error in ${where}:`, error);
}

/** A reply that does not follow the contract is a bug of this table: said as one, not sent as is. */
function checkReply(name: ProcedureName, reply: Reply<unknown>): Reply<unknown> {
  if (!reply.ok) return reply;
  const checked = parseOutput(name, reply.value);
  return checked.ok ? reply : fail('internal', `the reply of ${name} does not follow the contract: ${checked.error.message}`);
}

// ---- clusters -------------------------------------------------------------------------------

async function listClusters(ctx: Ctx): Promise<Reply<OutputOf<'cluster:list'>>> {
  return ok({ clusters: ctx.services.clusters.list().map((c) => clusterSummary(ctx, c)) });
}

/** Counts come from this session's last read (0 and readAt null before the first: nothing is read to list). */
function clusterSummary(ctx: Ctx, cluster: { readonly id: string; readonly kind: string; readonly description: string }): ClusterSummary {
  const read = ctx.session.reads.last(cluster.id);
  const nodes = read?.model.mapping.nodeCount() ?? 0;
  return {
    clusterId: cluster.id,
    label: read ? `${cluster.id} (${nodes} hosts)` : cluster.id,
    provider: cluster.kind,
    readAt: read?.readAt ?? null,
    nodes,
    vms: read?.model.mapping.vmCount() ?? 0,
    heldBy: ctx.services.journal.currentLock(cluster.id)?.runId ?? null,
  };
}

async function snapshotCluster(ctx: Ctx, input: InputOf<'cluster:snapshot'>): Promise<Reply<OutputOf<'cluster:snapshot'>>> {
  const last = input.scope === undefined ? ctx.session.reads.last(input.clusterId) : undefined;
  return ok(snapshotToWire(last ?? (await readCluster(ctx, input.clusterId, input.scope))));
}

async function refreshCluster(ctx: Ctx, input: InputOf<'cluster:refresh'>): Promise<Reply<OutputOf<'cluster:refresh'>>> {
  return ok(snapshotToWire(await readCluster(ctx, input.clusterId, input.scope)));
}

async function addClusterConfig(ctx: Ctx, input: InputOf<'cluster:add-config'>): Promise<Reply<OutputOf<'cluster:add-config'>>> {
  const summary = ctx.services.clusters.addLibvirtConfig(input.path);
  return ok({ ...summary, hosts: [...summary.hosts] });
}

async function testCluster(ctx: Ctx, input: InputOf<'cluster:test'>): Promise<Reply<OutputOf<'cluster:test'>>> {
  const checks = await ctx.services.clusters.testLibvirt(input.clusterId);
  return ok({
    clusterId: input.clusterId,
    hosts: checks.map((c) => ({ host: c.host, reachable: c.reachable, error: c.error ?? null, unknownHostKey: c.unknownHostKey ?? null, hostKeyChanged: c.hostKeyChanged ?? false, elapsedMs: c.elapsedMs })),
  });
}

async function trustClusterHostKey(ctx: Ctx, input: InputOf<'cluster:trust-host-key'>): Promise<Reply<OutputOf<'cluster:trust-host-key'>>> {
  const trusted = await ctx.services.clusters.trustHostKey(input.clusterId, input.host, input.fingerprint);
  if (!trusted.ok) return fail('conflict', trusted.error);
  return ok({ clusterId: input.clusterId, host: input.host, knownHostsFile: trusted.file });
}

async function readClusterConfig(ctx: Ctx, input: InputOf<'cluster:config-read'>): Promise<Reply<OutputOf<'cluster:config-read'>>> {
  return ok(ctx.services.clusters.readConfigText(input.clusterId));
}

async function saveClusterConfig(ctx: Ctx, input: InputOf<'cluster:config-save'>): Promise<Reply<OutputOf<'cluster:config-save'>>> {
  const result = ctx.services.clusters.saveConfigText(input.file, input.text, input.create ?? false);
  if (!result.saved) return ok({ saved: false, cluster: null, diagnostics: [...result.diagnostics] });
  return ok({ saved: true, cluster: { ...result.cluster, hosts: [...result.cluster.hosts] }, diagnostics: [] });
}

/** The password goes to the login waiting for it, and nowhere else (not even back in the reply). */
async function answerPassword(ctx: Ctx, input: InputOf<'cluster:password'>): Promise<Reply<OutputOf<'cluster:password'>>> {
  return ok({ promptId: input.promptId, accepted: ctx.passwords.answer(input.promptId, input.password) });
}

/** Reads the cluster now, remembers the read and tells cluster:changed subscribers. */
async function readCluster(ctx: Ctx, clusterId: string, scope?: InventoryScope): Promise<InventorySnapshot> {
  const snapshot = await ctx.services.clusters.snapshot(clusterId, scope);
  ctx.session.reads.remember(snapshot);
  ctx.session.hub.emit('cluster:changed', clusterChanged(snapshot));
  return snapshot;
}

function clusterChanged(snapshot: InventorySnapshot): ClusterChangedEvent {
  return {
    clusterId: snapshot.clusterId,
    readAt: snapshot.readAt,
    hosts: snapshot.hosts.map((h) => ({ ...h })),
    jobs: Object.fromEntries([...snapshot.jobs].map(([name, job]) => [name, { ...job }])),
  };
}

/**
 * The instance to lint or plan against: the one given (decoded, errors located in the input), or
 * the cluster's last read (read now when there is none) with no constraints of its own, as
 * RunService plans it.
 */
type SourceInput = { readonly clusterId: string } | { readonly instance: InstanceJson } | { readonly instanceId: string };

async function sourceInstance(ctx: Ctx, input: SourceInput): Promise<Reply<Instance>> {
  const source = await sourceOf(ctx, input);
  return source.ok ? ok(source.value.instance) : source;
}

/** The instance to plan or lint against, and which origin it is (none for an instance given whole). */
async function sourceOf(ctx: Ctx, input: SourceInput): Promise<Reply<{ readonly instance: Instance; readonly origin: OriginRef | null }>> {
  if ('instance' in input) {
    const decoded = decodeGiven(input.instance);
    return decoded.ok ? ok({ instance: decoded.value, origin: null }) : decoded;
  }
  if ('instanceId' in input) {
    const kept = ctx.session.instances.get(input.instanceId);
    if (kept === undefined) return fail('not-found', `$.input.instanceId: no open instance ${input.instanceId} (the console was restarted or opened newer files): open the file again`, { path: '$.input.instanceId' });
    // shared, not copied (40,000 VMs cost a what-if ~40 ms a copy): linting and planning only read
    // it, and PlanningService copies it before a script's attributes are set
    return ok({ instance: kept, origin: { kind: 'instance', instanceId: input.instanceId } });
  }
  const snapshot = ctx.session.reads.last(input.clusterId) ?? (await readCluster(ctx, input.clusterId));
  // the remembered read is shared, read-only as an opened instance is
  return ok({
    instance: { model: snapshot.model, constraints: [], objective: { id: 'minimizeMTTR' } },
    origin: { kind: 'snapshot', clusterId: input.clusterId, readAt: snapshot.readAt },
  });
}

/**
 * The origin to leave out of the answer: the one the caller holds, when the plan's origin is
 * exactly it (the same read or opened instance, no attribute set by the script); else none.
 */
function heldOrigin(held: OriginRef | undefined, used: OriginRef | null, outcome: PlanOutcome): OriginRef | undefined {
  if (held === undefined || used === null || outcome.kind !== 'result' || !outcome.originAsGiven) return undefined;
  return sameOrigin(held, used) ? used : undefined;
}

function decodeGiven(instance: InstanceJson): Reply<Instance> {
  const decoded = decodeInstance(instance, '$.input.instance');
  return decoded.ok ? ok(decoded.value) : fail('invalid-request', `${decoded.error.path}: ${decoded.error.message}`, { path: decoded.error.path });
}

async function openInstance(ctx: Ctx, input: InputOf<'instance:open'>): Promise<Reply<OutputOf<'instance:open'>>> {
  const decoded = decodeGiven(input.instance);
  if (!decoded.ok) return decoded;
  const { mapping } = decoded.value.model;
  return ok({ instanceId: ctx.session.instances.open(decoded.value), nodes: mapping.nodeCount(), vms: mapping.vmCount() });
}

// ---- constraints ----------------------------------------------------------------------------

async function lintScript(ctx: Ctx, input: InputOf<'constraints:lint'>): Promise<Reply<OutputOf<'constraints:lint'>>> {
  const source = await sourceInstance(ctx, input);
  if (!source.ok) return source;
  const instance = source.value;
  const parsed = parseScript(input.script.text, { model: instance.model });
  return ok({
    diagnostics: parsed.diagnostics,
    constraints: parsed.ok ? parsed.constraints.length : 0,
    // the same list plan:compute hashes (PlanningService.prepare): the instance's, then the script's
    constraintHash: parsed.ok ? constraintSetHash([...instance.constraints, ...parsed.constraints]) : null,
  });
}

// ---- planning -------------------------------------------------------------------------------

async function computePlan(ctx: Ctx, input: InputOf<'plan:compute'>): Promise<Reply<OutputOf<'plan:compute'>>> {
  const { requestId } = input;
  if (ctx.session.planning.has(requestId)) return fail('conflict', `request ${requestId} is still planning: wait for its answer, cancel it, or use another requestId`);
  const controller = new AbortController();
  ctx.session.planning.set(requestId, controller);
  try {
    const source = await sourceOf(ctx, input);
    if (!source.ok) return source;
    const notices: string[] = [];
    const outcome = await ctx.services.planning.compute(planRequestFromWire(source.value.instance, input.script, input.options), {
      signal: controller.signal,
      onProgress: (progress) => ctx.session.hub.emit('plan:progress', progressToWire(requestId, progress)),
      onNotice: (message) => notices.push(message),
    });
    holdPlan(ctx, input, outcome);
    ctx.plans.record({ requestId, source: planSourceOf(input), script: input.script, options: input.options }, outcome, notices);
    return ok(withNotices(planOutcomeToWire(requestId, outcome, heldOrigin(input.originHeld, source.value.origin, outcome)), notices));
  } finally {
    ctx.session.planning.delete(requestId);
  }
}

/** Keeps what run:create needs of a result; script errors leave nothing to create a run from. */
function holdPlan(ctx: Ctx, input: InputOf<'plan:compute'>, outcome: PlanOutcome): void {
  if (outcome.kind === 'script-errors') {
    ctx.session.held.forget(input.requestId);
    return;
  }
  ctx.session.held.hold({
    requestId: input.requestId,
    clusterId: 'clusterId' in input ? input.clusterId : null,
    script: input.script,
    options: input.options ?? {},
    constraintHash: outcome.constraintHash,
    hasPlan: outcome.result.plan !== undefined,
    ...(outcome.result.plan !== undefined ? { planned: { result: outcome.result, constraintHash: outcome.constraintHash, constraints: outcome.constraints } } : {}),
  });
}

/** The planner's notices (no MiniZinc runner, …) travel with the result's notes. */
function withNotices(computed: PlanComputed, notices: readonly string[]): PlanComputed {
  if (computed.kind !== 'result' || notices.length === 0) return computed;
  return { ...computed, result: { ...computed.result, notes: [...computed.result.notes, ...notices] } };
}

async function cancelPlan(ctx: Ctx, input: InputOf<'plan:cancel'>): Promise<Reply<OutputOf<'plan:cancel'>>> {
  const controller = ctx.session.planning.get(input.requestId);
  controller?.abort();
  return ok({ cancelled: controller !== undefined });
}

// ---- past plans -----------------------------------------------------------------------------

async function listPlans(ctx: Ctx, input: InputOf<'plan:list'>): Promise<Reply<OutputOf<'plan:list'>>> {
  return ok(ctx.plans.list(input));
}

async function getPlan(ctx: Ctx, input: InputOf<'plan:get'>): Promise<Reply<OutputOf<'plan:get'>>> {
  let kept: Awaited<ReturnType<PlanHistory['get']>>;
  try {
    kept = await ctx.plans.get(input.planId);
  } catch (e) {
    // a damaged body or origin: said of this plan, the journal itself still works
    if (e instanceof JournalError) return fail('unavailable', e.message, { path: '$.input.planId' });
    throw e;
  }
  if (!kept) return fail('not-found', `no plan ${input.planId} in the journal (only the last 200 computed plans are kept)`, { path: '$.input.planId' });
  return ok({ ...kept, script: { ...kept.script } });
}

// ---- runs -----------------------------------------------------------------------------------

/**
 * A draft run from a computed plan (of this session, or kept in History): the very plan the
 * operator was shown is journaled, under the cluster's lock, provided the cluster is still what it
 * started from (otherwise 'conflict': plan again); the constraint set must be the one the operator
 * approved.
 */
async function createRun(ctx: Ctx, input: InputOf<'run:create'>): Promise<Reply<OutputOf<'run:create'>>> {
  const held = await planToRun(ctx, input);
  if (!held.ok) return held;
  const created = await ctx.services.runs.create({
    clusterId: input.clusterId,
    script: scriptOf(held.value),
    options: runOptions(held.value.options, input.windowSeconds),
    ...(held.value.planned ? { planned: held.value.planned } : {}),
  });
  switch (created.kind) {
    case 'conflict':
      return fail('conflict', created.message);
    case 'bad-request':
      return fail('invalid-request', created.message);
    case 'script-errors':
      return fail('conflict', `the script no longer applies to cluster ${input.clusterId} as it is now: ${created.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('; ')}`);
    case 'no-plan':
      return fail(created.result.status === 'infeasible' ? 'infeasible' : 'conflict', `no plan for cluster ${input.clusterId} as it is now (${created.result.status})`, { details: [...(created.result.explanation ?? [])] });
    case 'created':
      return adoptCreated(ctx, input, held.value, created.driver);
  }
}

/** What run:create and run:rehearse name a plan by, and what it must be. */
type PlanToRun = { readonly clusterId: string; readonly constraintHash: string } & ({ readonly requestId: string } | { readonly planId: string });

/** The plan a run is to be made of: held by this session, or rebuilt from the journal (History). */
function planToRun(ctx: Ctx, input: PlanToRun): Promise<Reply<HeldPlan>> | Reply<HeldPlan> {
  return 'planId' in input ? keptPlanFor(ctx, input.planId, input) : heldPlanFor(ctx, input.requestId, input);
}

/** A plan kept in the journal, if a run may be created from it in this session. */
async function keptPlanFor(ctx: Ctx, planId: string, input: PlanToRun): Promise<Reply<HeldPlan>> {
  const reopened = await ctx.plans.reopen(planId, ctx.services.planning);
  if (!reopened.ok) return fail(reopened.code, reopened.code === 'invalid-request' ? `$.input.planId: ${reopened.message}` : reopened.message, reopened.code === 'conflict' ? {} : { path: '$.input.planId' });
  const { plan } = reopened;
  if (plan.clusterId !== input.clusterId) return fail('invalid-request', `$.input.clusterId: plan ${planId} planned cluster ${plan.clusterId}, not cluster ${input.clusterId}`, { path: '$.input.clusterId' });
  if (plan.constraintHash !== input.constraintHash) return hashConflict(input.constraintHash, plan.constraintHash);
  return ok({
    requestId: planId,
    planId,
    clusterId: plan.clusterId,
    script: plan.script,
    options: plan.options,
    constraintHash: plan.constraintHash,
    hasPlan: true,
    planned: { ...plan.planned, computedAt: plan.computedAt },
  });
}

/** The plan request of this session run:create names, if a run may be created from it. */
function heldPlanFor(ctx: Ctx, requestId: string, input: PlanToRun): Reply<HeldPlan> {
  const { clusterId } = input;
  if (ctx.session.planning.has(requestId)) return fail('conflict', `request ${requestId} is still planning: wait for its answer`);
  const held = ctx.session.held.get(requestId);
  if (!held) return fail('not-found', `no computed plan for request ${requestId} in this session (plan:compute first)`, { path: '$.input.requestId' });
  if (held.clusterId !== clusterId) {
    const planned = held.clusterId === null ? 'an instance given whole, not a cluster' : `cluster ${held.clusterId}`;
    return fail('invalid-request', `$.input.clusterId: request ${requestId} planned ${planned}, not cluster ${clusterId}`, { path: '$.input.clusterId' });
  }
  if (!held.hasPlan) return fail('conflict', `request ${requestId} found no plan: there is nothing to run`);
  if (held.constraintHash !== input.constraintHash) return hashConflict(input.constraintHash, held.constraintHash);
  return ok(held);
}

function hashConflict(approved: string, actual: string): ErrorEnvelope {
  return fail('conflict', `the constraint set is not the one approved (approved ${approved}, planned under ${actual}): look at the plan again`, { details: { approved, actual } });
}

function scriptOf(held: HeldPlan): { text: string; name: string } {
  return { text: held.script?.text ?? '', name: held.script?.name ?? 'script' };
}

/** The run keeps the plan's options, so that a re-plan after drift plans the same way. */
function runOptions(options: PlanOptionsInput, windowSeconds: number | undefined): RunPlanOptions {
  const window = windowSeconds ?? options.windowSeconds;
  return {
    objective: options.objective ?? PLAN_DEFAULTS.objective,
    timeLimitS: options.timeLimitS ?? PLAN_DEFAULTS.timeLimitS,
    maxConcurrent: options.maxConcurrent ?? PLAN_DEFAULTS.maxConcurrent,
    migrationTime: options.migrationTime ?? PLAN_DEFAULTS.migrationTime,
    ...(options.maxMigrations !== undefined ? { maxMigrations: options.maxMigrations } : {}),
    ...(options.maxMemoryGiB !== undefined ? { maxMemoryGiB: options.maxMemoryGiB } : {}),
    ...(window !== undefined ? { windowSeconds: window } : {}),
  };
}

/** The created draft, checked against the approval, with the asked mode; then driven by this session. */
function adoptCreated(ctx: Ctx, input: InputOf<'run:create'>, held: HeldPlan, driver: RunDriver): Reply<OutputOf<'run:create'>> {
  const actual = driver.run.constraintHash;
  if (actual !== input.constraintHash) {
    // the draft stays in the journal, superseded (its lock released), for the audit trail
    driver.dispatch({ type: 'supersede', at: ctx.now(), by: ctx.services.actor, reason: 'the constraint set changed between approval and run creation' });
    driver.close();
    return hashConflict(input.constraintHash, actual);
  }
  if (input.mode !== undefined || input.maxPerHost !== undefined) {
    const mode = input.mode ?? driver.run.mode;
    driver.dispatch(stampOperatorEvent({ type: 'set-mode', mode, ...(input.maxPerHost !== undefined ? { maxPerHost: input.maxPerHost } : {}) }, ctx.now(), ctx.services.actor));
  }
  linkPlanRun(ctx, held, driver.run.runId);
  // a plan of this session becomes one run; a kept plan may be started again only while the cluster is unchanged
  if (held.planId === undefined) ctx.session.held.forget(held.requestId);
  ctx.session.live.adopt(driver);
  return ok({ run: driver.run, progress: driver.progress() });
}

/** History names the run (or rehearsal) under the plan it was made of. */
function linkPlanRun(ctx: Ctx, held: HeldPlan, runId: string): void {
  if (held.planId !== undefined) ctx.plans.linkPlan(held.planId, runId);
  else ctx.plans.linkRun(held.requestId, runId);
}

async function getRun(ctx: Ctx, input: InputOf<'run:get'>): Promise<Reply<OutputOf<'run:get'>>> {
  const found = currentRun(ctx, input.runId);
  return found ? ok(found) : runNotFound(input.runId);
}

/** A run as this process drives it, else as the journal has it. */
function currentRun(ctx: Ctx, runId: string): { run: Run; progress: RunProgress } | undefined {
  const driver = ctx.session.live.get(runId);
  if (driver) return { run: driver.run, progress: driver.progress() };
  const stored = ctx.services.journal.loadRun(runId);
  return stored ? { run: stored.run, progress: runProgress(stored.run, ctx.now()) } : undefined;
}

function runNotFound(runId: string): ErrorEnvelope {
  return fail('not-found', `no run ${runId} in the journal`, { path: '$.input.runId' });
}

async function listRuns(ctx: Ctx, input: InputOf<'run:list'>): Promise<Reply<OutputOf<'run:list'>>> {
  const states = input.states === undefined ? undefined : new Set<string>(input.states);
  const runs: RunSummary[] = [];
  for (const row of ctx.services.journal.listRuns()) {
    if (input.clusterId !== undefined && row.clusterId !== input.clusterId) continue;
    if (states && !states.has(row.state)) continue;
    const found = currentRun(ctx, row.runId);
    if (found) runs.push(runSummary(found.run, found.progress));
  }
  return ok({ runs });
}

function runSummary(run: Run, progress: RunProgress): RunSummary {
  const { runId, clusterId, revision, state, mode, createdAt, startedAt, endedAt, reason } = run;
  return { runId, clusterId, revision, state, mode, createdAt, startedAt, endedAt, reason, progress };
}

/**
 * An operator's event, stamped with this session's clock and actor. The executor's refusal comes
 * back as 'conflict' in its own words, and nothing is journaled for it.
 */
async function sendEvent(ctx: Ctx, input: InputOf<'run:event'>): Promise<Reply<OutputOf<'run:event'>>> {
  const target = eventTarget(ctx, input.runId, input.revision);
  if (!target.ok) return target;
  const event = stampOperatorEvent(input.event, ctx.now(), ctx.services.actor);
  if (!('driver' in target.value)) return fail('conflict', transition(target.value.run, event).refused ?? `run ${input.runId} has ended (${target.value.run.state})`);
  const t = target.value.driver.dispatch(event);
  // a refusal is an answer, not an error: the run as it stands and the executor's sentence
  return ok({ run: t.run, progress: target.value.driver.progress(), refused: t.refused ?? null });
}

/**
 * Who takes the event: the run's driver in this process; an interrupted run of the journal is
 * resumed first (its cluster's lock taken, its running steps re-read); an ended run only yields
 * the executor's refusal. A stale revision is refused before anything is resumed.
 */
function eventTarget(ctx: Ctx, runId: string, revision: number): Reply<{ readonly driver: RunDriver } | { readonly run: Run }> {
  const driver = ctx.session.live.get(runId);
  const run = driver?.run ?? ctx.services.journal.loadRun(runId)?.run;
  if (!run) return runNotFound(runId);
  if (run.revision !== revision) {
    return fail('conflict', `run ${runId} is at revision ${run.revision}, the event was meant for revision ${revision}: look at the run again before deciding`, {
      path: '$.input.revision',
      details: { runId, revision: run.revision },
    });
  }
  if (driver) return ok({ driver });
  if (isFinal(run)) return ok({ run });
  // the journal lets a process re-take its own lock: a second driver of one run must not come from that
  if (drivenHere(ctx, run)) return fail('conflict', `run ${runId} is being carried out by another driver of this process; one driver per run`);
  const resumed = ctx.services.runs.resume(runId);
  if (!resumed.ok) return fail('conflict', resumed.message);
  ctx.session.live.adopt(resumed.driver);
  return ok({ driver: resumed.driver });
}

/** True when this process holds the run's lock, outside this session (another handler table, the CLI's code). */
function drivenHere(ctx: Ctx, run: Run): boolean {
  const lock = ctx.services.journal.currentLock(run.clusterId);
  return lock !== undefined && lock.runId === run.runId && lock.pid === process.pid && lock.host === hostname();
}

async function reportRun(ctx: Ctx, input: InputOf<'run:report'>): Promise<Reply<OutputOf<'run:report'>>> {
  const { journal } = ctx.services;
  const stored = journal.loadRun(input.runId);
  if (!stored) return runNotFound(input.runId);
  const content = renderReport(reportData({ ...stored, entries: journal.entries(input.runId) }), input.format);
  return ok({ runId: input.runId, format: input.format, fileName: `ferry-report-${input.runId}.${input.format}`, content });
}

/**
 * A rehearsal of a computed plan: the same plan, journaled as a run of its own on a simulated copy
 * of the cluster with the faults injected. The computed plan stays held, so the operator can still
 * create the real run from it after rehearsing.
 */
async function rehearseRun(ctx: Ctx, input: InputOf<'run:rehearse'>): Promise<Reply<OutputOf<'run:rehearse'>>> {
  const held = await planToRun(ctx, input);
  if (!held.ok) return held;
  const created = await ctx.services.runs.create({
    clusterId: input.clusterId,
    script: scriptOf(held.value),
    options: runOptions(held.value.options, undefined),
    ...(held.value.planned ? { planned: held.value.planned } : {}),
    rehearse: { faults: input.faults },
  });
  switch (created.kind) {
    case 'conflict':
      return fail('conflict', created.message);
    case 'bad-request':
      return fail('invalid-request', `$.input.faults: ${created.message}`, { path: '$.input.faults' });
    case 'script-errors':
    case 'no-plan':
      return fail('conflict', `the plan cannot be rehearsed on a copy of cluster ${input.clusterId} as it is now: plan again`);
    case 'created': {
      const { driver } = created;
      if (input.mode !== undefined) driver.dispatch(stampOperatorEvent({ type: 'set-mode', mode: input.mode }, ctx.now(), ctx.services.actor));
      linkPlanRun(ctx, held.value, driver.run.runId);
      ctx.session.live.adopt(driver);
      return ok({ run: driver.run, progress: driver.progress() });
    }
  }
}

async function auditRun(ctx: Ctx, input: InputOf<'run:audit'>): Promise<Reply<OutputOf<'run:audit'>>> {
  const { journal } = ctx.services;
  const stored = journal.loadRun(input.runId);
  if (!stored) return runNotFound(input.runId);
  const audit = reportData({ ...stored, entries: journal.entries(input.runId) }).audit.map((line) => ({ ...line }));
  return ok({ runId: input.runId, audit });
}
