/**
 * The demo hypervisor: a simulated fleet whose state lives in `dir/state.sqlite`, so that every
 * process opening the directory (a `ferry run` killed with SIGKILL, the one that resumes it, the
 * console) sees one consistent cluster.
 *
 * Time is wall-clock and settlement is lazy: a job (a migration, a boot, ...) is a row with its end
 * time; every read or write first applies, in one IMMEDIATE transaction, every job whose end has
 * passed. Nothing needs to run in the background, which is what makes a migration whose client
 * died complete by itself, as on a real hypervisor.
 *
 * The settled state (jobs in flight are not in it: a migrating VM is on its source until the
 * migration ends) is the seed model's JSON plus one row per element changed since (see store.ts),
 * so that a job's start or end writes what it changes, not the whole model. `actions.jsonl` is the
 * hypervisor's task log, append-only.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import type { Clock, NamedAction, VmJob } from '../../../src/cluster/ports.js';
import type { Instance } from '../../../src/instance/instance.js';
import { modelToJson } from '../../../src/instance/json.js';
import type { Model } from '../../../src/model/index.js';
import { type Action, nodesOf } from '../../../src/plan/actions.js';
import { actionPrecondition, applyActionEffect } from '../../../src/plan/replay.js';
import { DEMO_DURATIONS, DEMO_LINK_GBPS, defaultFleet } from './fleet.js';
import { MODEL_SCHEMA, ModelStore, type Touched } from './store.js';

// ---- public types ------------------------------------------------------------------------------

/** Things that happen to a cluster behind Ferry's back, for demos and rehearsals. */
export type DemoFault =
  /** The VM's next migration fails at about half way. */
  | { readonly kind: 'fail-migration'; readonly vm: string }
  /** The host stops answering: reads report it unreachable, actions touching it hang until their timeout. */
  | { readonly kind: 'host-down'; readonly node: string }
  | { readonly kind: 'host-up'; readonly node: string }
  /** The VM is stopped by hand (it becomes ready). */
  | { readonly kind: 'stop-vm'; readonly vm: string }
  /** The VM is moved by hand, instantly. */
  | { readonly kind: 'move-vm'; readonly vm: string; readonly to: string }
  /** The VM's migrations take `factor` times longer (a guest dirtying memory fast); factor 1 clears it. */
  | { readonly kind: 'slow-migration'; readonly vm: string; readonly factor: number };

export type DemoJobKind = VmJob['kind'];

/** An operation in flight on the demo hypervisor. */
export interface DemoJob {
  readonly id: number;
  readonly requestId: string;
  readonly kind: DemoJobKind;
  /** The VM it is about (the node, for bootNode and shutdownNode). */
  readonly subject: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly action: NamedAction;
  readonly startedAt: number;
  /** When it ends (ms since the epoch); a job doomed to fail ends before `startedAt + durationMs`. */
  readonly endsAt: number;
  /** How long it would take to succeed (ms, after the speed-up). */
  readonly durationMs: number;
  readonly fails: boolean;
  readonly error: string | null;
  /** Memory to copy (bytes) for a migration, 0 otherwise. */
  readonly bytesTotal: number;
}

export type DemoStart =
  /** `job` is null when the action was instant (kill, forge) or the request had already ended. */
  | { readonly status: 'accepted'; readonly job: DemoJob | null }
  | { readonly status: 'refused'; readonly error: string }
  /** A host the action touches is down: a real client would wait for an answer that never comes. */
  | { readonly status: 'unreachable'; readonly node: string; readonly error: string };

export type DemoJobStatus =
  | { readonly state: 'running'; readonly job: DemoJob; readonly fraction: number }
  | { readonly state: 'completed'; readonly at: number }
  | { readonly state: 'failed'; readonly at: number; readonly error: string }
  | { readonly state: 'cancelled'; readonly at: number }
  | { readonly state: 'unknown' };

export interface DemoSnapshot {
  /** The settled state (a copy: the caller may change it). */
  readonly model: Model;
  readonly jobs: readonly DemoJob[];
  readonly hostsDown: readonly string[];
  readonly readAt: number;
}

/** One line of `actions.jsonl`. */
export type DemoLogEntry =
  | { readonly at: number; readonly requestId: string; readonly action: NamedAction; readonly result: 'accepted' | 'refused'; readonly error?: string; readonly endsAt?: number; readonly duplicate?: boolean }
  | { readonly at: number; readonly requestId: string; readonly action: NamedAction; readonly event: 'completed' | 'failed' | 'cancelled'; readonly error?: string }
  | { readonly at: number; readonly event: 'fault'; readonly fault: DemoFault }
  | { readonly at: number; readonly event: 'reset' };

export interface DemoEngineOptions {
  /** How many times faster than real time jobs run (default FERRY_DEMO_SPEED, else 1). */
  readonly speed?: number;
  /** The cluster of a new state directory (default: defaultFleet()); ignored when the state exists. */
  readonly seed?: Instance;
  readonly clock?: Clock;
  /** Overcommit ratios per resource of a new state directory (default: cpu 3, nothing else). */
  readonly overbook?: Readonly<Record<string, number>>;
}

export const STATE_FILE = 'state.sqlite';
export const ACTIONS_LOG = 'actions.jsonl';
export const DEFAULT_OVERBOOK: Readonly<Record<string, number>> = { cpu: 3 };
/** What a down host's reading says, and why actions touching it hang. */
export const HOST_DOWN_ERROR = 'no answer within 5 s (connection timed out)';

const SCHEMA_VERSION = '2';
const ALLOCATE_MS = 100;
/** A failing migration stops at this share of its duration. */
const FAIL_AT = 0.5;

/**
 * The speed-up factor: the option when given, else FERRY_DEMO_SPEED, else 1. A value that is not
 * a finite number > 0 is an error naming where it came from (a demo at speed NaN would hang).
 */
export function demoSpeed(option?: number, env: string | undefined = process.env['FERRY_DEMO_SPEED']): number {
  if (option !== undefined) {
    if (!Number.isFinite(option) || option <= 0) throw new Error(`the demo speed must be a finite number > 0, got ${option}`);
    return option;
  }
  if (env === undefined || env.trim() === '') return 1;
  const speed = Number(env);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new Error(`FERRY_DEMO_SPEED must be a number > 0 (how many times faster than real time the demo cluster runs, e.g. 10), got '${env}'`);
  }
  return speed;
}

/** Reads `dir/actions.jsonl`; a torn or garbled line (a writer killed mid-line) is skipped. */
export function readActionsLog(dir: string): DemoLogEntry[] {
  let text: string;
  try {
    text = readFileSync(join(dir, ACTIONS_LOG), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const entries: DemoLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as DemoLogEntry);
    } catch {
      // only a line cut short by a crash gets here; the lines after it are intact
    }
  }
  return entries;
}

// ---- the engine --------------------------------------------------------------------------------

interface JobRow {
  id: number;
  requestId: string;
  kind: string;
  subject: string;
  fromNode: string | null;
  toNode: string | null;
  action: string;
  startedAt: number;
  endsAt: number;
  durationMs: number;
  fails: number;
  error: string | null;
  bytesTotal: number;
}

interface EndRow {
  requestId: string;
  event: 'completed' | 'failed' | 'cancelled';
  error: string | null;
  endedAt: number;
}

/** A job end decided inside a transaction, logged once it committed. */
interface JobEnd {
  readonly job: DemoJob;
  readonly event: 'completed' | 'failed' | 'cancelled';
  readonly at: number;
  readonly error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  requestId TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  fromNode TEXT,
  toNode TEXT,
  action TEXT NOT NULL,
  startedAt INTEGER NOT NULL,
  endsAt INTEGER NOT NULL,
  durationMs INTEGER NOT NULL,
  fails INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  bytesTotal INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_endsAt ON jobs (endsAt);
CREATE TABLE IF NOT EXISTS job_ends (requestId TEXT PRIMARY KEY, jobId INTEGER, event TEXT NOT NULL, error TEXT, endedAt INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS hosts_down (node TEXT PRIMARY KEY, since INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS faults (vm TEXT NOT NULL, kind TEXT NOT NULL, factor REAL NOT NULL DEFAULT 1, PRIMARY KEY (vm, kind));
${MODEL_SCHEMA}`;

export class DemoEngine {
  readonly speed: number;
  private readonly clock: Clock;
  private readonly logFile: string;
  private readonly store: ModelStore;

  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
    options: DemoEngineOptions,
  ) {
    this.speed = demoSpeed(options.speed);
    this.clock = options.clock ?? { now: () => Date.now() };
    this.logFile = join(dir, ACTIONS_LOG);
    this.store = new ModelStore(db, dir);
  }

  /** Opens (creating and seeding it the first time) the demo cluster stored in `dir`. */
  static open(dir: string, options: DemoEngineOptions = {}): DemoEngine {
    demoSpeed(options.speed); // a bad speed fails before anything is created
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, STATE_FILE));
    try {
      // busy_timeout first: setting WAL needs a lock another process may hold
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const engine = new DemoEngine(dir, db, options);
      engine.initialise(options);
      return engine;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  close(): void {
    this.db.close();
  }

  now(): number {
    return this.clock.now();
  }

  /** Overcommit ratio per resource (1 for those not listed). */
  overbook(): Readonly<Record<string, number>> {
    return JSON.parse(this.meta('overbook') ?? '{}') as Record<string, number>;
  }

  // ---- reads -----------------------------------------------------------------------------------

  snapshot(): DemoSnapshot {
    this.settle();
    const readAt = this.now();
    // one read transaction: model, jobs and hosts down from the same instant
    return this.db.transaction(() => ({
      model: this.store.current().clone(),
      jobs: this.jobRows().map(toJob),
      hostsDown: this.hostsDown(),
      readAt,
    }))();
  }

  /** Where a request stands: in flight (with its progress), ended, or unknown. */
  status(requestId: string): DemoJobStatus {
    this.settle();
    const row = this.db.prepare('SELECT * FROM jobs WHERE requestId = ?').get(requestId) as JobRow | undefined;
    if (row) {
      const job = toJob(row);
      return { state: 'running', job, fraction: jobFraction(job, this.now()) };
    }
    return endStatus(this.db.prepare('SELECT * FROM job_ends WHERE requestId = ?').get(requestId) as EndRow | undefined);
  }

  /** Whether a host has been made to stop answering (a `host-down` fault). */
  isHostDown(node: string): boolean {
    return this.isDown(node);
  }

  /** The faults that persist (pending failures, slow migrations, hosts down). */
  faults(): DemoFault[] {
    const rows = this.db.prepare('SELECT vm, kind, factor FROM faults ORDER BY vm, kind').all() as { vm: string; kind: string; factor: number }[];
    const faults: DemoFault[] = rows.map((r) => (r.kind === 'slow-migration' ? { kind: 'slow-migration', vm: r.vm, factor: r.factor } : { kind: 'fail-migration', vm: r.vm }));
    for (const node of this.hostsDown()) faults.push({ kind: 'host-down', node });
    return faults;
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Starts an action: checked against the settled state plus the jobs in flight, then recorded
   * as a job ending after its duration. The same request id twice is one job (idempotency).
   */
  start(requestId: string, action: NamedAction): DemoStart {
    const at = this.now();
    const { result, ended, duplicate } = this.store.write(() => {
      const endedNow = this.settleLocked(at);
      const known = this.knownRequest(requestId);
      if (known) return { result: known, ended: endedNow, duplicate: true };
      return { result: this.startLocked(requestId, action, at), ended: endedNow, duplicate: false };
    });
    this.logEnds(ended);
    this.logStart(at, requestId, action, result, duplicate);
    // an instant action (kill, forge) ended as it was accepted
    if (result.status === 'accepted' && result.job === null && !duplicate) this.append({ at, requestId, action, event: 'completed' });
    return result;
  }

  /**
   * Cancels a job in flight (the model stays as it was, as after an aborted migration). Returns
   * the request's status afterwards: `cancelled`, or how it had already ended.
   */
  cancel(requestId: string): DemoJobStatus {
    const at = this.now();
    const ended = this.store.write(() => {
      const list = this.settleLocked(at);
      const row = this.db.prepare('SELECT * FROM jobs WHERE requestId = ?').get(requestId) as JobRow | undefined;
      if (row) list.push(this.endJob(toJob(row), 'cancelled', at, null));
      return list;
    });
    this.logEnds(ended);
    return this.status(requestId);
  }

  injectFault(fault: DemoFault): void {
    const at = this.now();
    const ended = this.store.write(() => {
      const list = this.settleLocked(at);
      this.applyFault(this.store.current(), fault, at, list);
      return list;
    });
    this.logEnds(ended);
    this.append({ at, event: 'fault', fault });
  }

  /** Back to `seed` (default: the cluster the directory was created with); jobs and faults are dropped. */
  reset(seed?: Instance): void {
    const at = this.now();
    this.store.write(() => {
      if (seed) this.setMeta('seed', JSON.stringify(modelToJson(seed.model)));
      if (this.meta('seed') === undefined) throw new Error(`the demo state in ${this.dir} has no seed to reset to`);
      for (const table of ['jobs', 'job_ends', 'hosts_down', 'faults']) this.db.prepare(`DELETE FROM ${table}`).run();
      this.store.reset();
    });
    this.append({ at, event: 'reset' });
  }

  // ---- settlement ------------------------------------------------------------------------------

  /** Applies every job that has ended; a cheap read first, so that idle reads take no write lock. */
  private settle(): void {
    const at = this.now();
    const due = this.db.prepare('SELECT 1 FROM jobs WHERE endsAt <= ? LIMIT 1').get(at);
    if (!due) return;
    this.logEnds(this.store.write(() => this.settleLocked(at)));
  }

  /** Inside a write transaction: applies the jobs ended by `at`, in end order; returns their ends. */
  private settleLocked(at: number): JobEnd[] {
    const rows = this.db.prepare('SELECT * FROM jobs WHERE endsAt <= ? ORDER BY endsAt, id').all(at) as JobRow[];
    return rows.map((row) => {
      const job = toJob(row);
      const failure = this.finishJob(job);
      return this.endJob(job, failure === null ? 'completed' : 'failed', job.endsAt, failure);
    });
  }

  /** Applies an ended job to the settled model (inside a write transaction); returns why it failed, or null. */
  private finishJob(job: DemoJob): string | null {
    if (job.fails) return job.error ?? `${describeAction(job.action)} failed`;
    const model = this.store.current();
    const resolved = resolveAction(model, job.action);
    if ('error' in resolved) return `${describeAction(job.action)} failed: ${resolved.error}`;
    // the state may have changed by hand since the job started
    const why = actionPrecondition(model, resolved.action);
    if (why !== undefined) return `${describeAction(job.action)} failed: ${why}`;
    this.store.change(touchedBy(resolved.action), (m) => applyActionEffect(m, resolved.action));
    return null;
  }

  /** Removes a job and records how it ended (inside a write transaction). */
  private endJob(job: DemoJob, event: JobEnd['event'], at: number, error: string | null): JobEnd {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(job.id);
    this.db.prepare('INSERT OR REPLACE INTO job_ends (requestId, jobId, event, error, endedAt) VALUES (?, ?, ?, ?, ?)').run(job.requestId, job.id, event, error, at);
    return { job, event, at, error };
  }

  // ---- starting jobs ---------------------------------------------------------------------------

  /** A request seen before: its job if still in flight, else an accepted answer whose end `status` gives. */
  private knownRequest(requestId: string): DemoStart | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE requestId = ?').get(requestId) as JobRow | undefined;
    if (row) return { status: 'accepted', job: toJob(row) };
    const end = this.db.prepare('SELECT 1 FROM job_ends WHERE requestId = ?').get(requestId);
    return end ? { status: 'accepted', job: null } : undefined;
  }

  private startLocked(requestId: string, action: NamedAction, at: number): DemoStart {
    // the shared settled model: only read here, changed through the store
    const model = this.store.current();
    const resolved = resolveAction(model, action);
    if ('error' in resolved) return { status: 'refused', error: `cannot ${describeAction(action)}: ${resolved.error}` };
    const down = nodesOf<string>(action).find((n) => this.isDown(n));
    if (down !== undefined) return { status: 'unreachable', node: down, error: `${down}: ${HOST_DOWN_ERROR}` };
    const jobs = this.jobRows().map(toJob);
    const why = busyReason(action, jobs, at) ?? actionPrecondition(model, resolved.action) ?? this.roomReason(model, resolved.action, jobs);
    if (why !== undefined) return { status: 'refused', error: `cannot ${describeAction(action)}: ${why}` };
    if (action.kind === 'killVM' || action.kind === 'forgeVM') return this.applyInstantly(requestId, resolved.action, at);
    return { status: 'accepted', job: this.insertJob(model, requestId, action, at) };
  }

  /** Kill and forge have no duration on the demo hypervisor: applied at once, ended at once. */
  private applyInstantly(requestId: string, action: Action, at: number): DemoStart {
    this.store.change(touchedBy(action), (m) => applyActionEffect(m, action));
    this.db.prepare('INSERT OR REPLACE INTO job_ends (requestId, jobId, event, error, endedAt) VALUES (?, NULL, ?, NULL, ?)').run(requestId, 'completed', at);
    return { status: 'accepted', job: null };
  }

  private insertJob(model: Model, requestId: string, action: JobAction, at: number): DemoJob {
    const slow = action.kind === 'migrateVM' ? this.slowFactor(action.vm) : 1;
    const durationMs = Math.max(1, Math.round((nominalMs(model, action) * slow) / this.speed));
    const fails = action.kind === 'migrateVM' && this.takeFault(action.vm, 'fail-migration');
    const endsAt = at + (fails ? Math.max(1, Math.round(durationMs * FAIL_AT)) : durationMs);
    const error = fails ? migrationFailure(action) : null;
    const { from, to } = jobEnds(action);
    const bytesTotal = action.kind === 'migrateVM' ? memoryMiB(model, action.vm) * 1024 * 1024 : 0;
    const info = this.db
      .prepare('INSERT INTO jobs (requestId, kind, subject, fromNode, toNode, action, startedAt, endsAt, durationMs, fails, error, bytesTotal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(requestId, JOB_KIND[action.kind], subjectOf(action), from, to, JSON.stringify(action), at, endsAt, durationMs, fails ? 1 : 0, error, bytesTotal);
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(info.lastInsertRowid) as JobRow;
    return toJob(row);
  }

  /**
   * Whether the destination has room for what arrives: its running VMs plus what the jobs in
   * flight bring (a migrating VM holds room on both hosts until it ends), against capacity × the
   * overcommit ratio of each resource.
   */
  private roomReason(model: Model, action: Action, jobs: readonly DemoJob[]): string | undefined {
    const arrival = arrivalOf(model, action);
    if (!arrival) return undefined;
    const ratios = this.overbook();
    for (const [rc, view] of model.resources) {
      const needed = arrival.amounts.get(rc) ?? 0;
      if (needed <= 0) continue;
      const capacity = view.capacity(arrival.node) * (ratios[rc] ?? 1);
      const inFlight = incoming(model, jobs, arrival.node, rc);
      const free = capacity - model.usage(arrival.node, rc) - inFlight;
      if (needed > free) {
        const booked = inFlight > 0 ? `, ${amount(rc, inFlight)} of it booked by operations in flight` : '';
        return `${model.nodeName(arrival.node)} has ${amount(rc, Math.max(0, free))} of ${rc} free (capacity ${amount(rc, capacity)}${booked}), ${amount(rc, needed)} needed`;
      }
    }
    return undefined;
  }

  // ---- faults ----------------------------------------------------------------------------------

  private applyFault(model: Model, fault: DemoFault, at: number, ends: JobEnd[]): void {
    switch (fault.kind) {
      case 'fail-migration':
        vmIdOf(model, fault.vm); // a fault on a name the cluster does not know is a typo: say so
        this.db.prepare('INSERT OR REPLACE INTO faults (vm, kind, factor) VALUES (?, ?, 1)').run(fault.vm, fault.kind);
        return;
      case 'slow-migration':
        vmIdOf(model, fault.vm);
        if (!Number.isFinite(fault.factor) || fault.factor <= 0) throw new Error(`slow-migration: the factor must be a finite number > 0, got ${fault.factor}`);
        if (fault.factor === 1) this.db.prepare('DELETE FROM faults WHERE vm = ? AND kind = ?').run(fault.vm, fault.kind);
        else this.db.prepare('INSERT OR REPLACE INTO faults (vm, kind, factor) VALUES (?, ?, ?)').run(fault.vm, fault.kind, fault.factor);
        return;
      case 'host-down':
        nodeIdOf(model, fault.node);
        this.db.prepare('INSERT OR IGNORE INTO hosts_down (node, since) VALUES (?, ?)').run(fault.node, at);
        return;
      case 'host-up':
        nodeIdOf(model, fault.node);
        this.db.prepare('DELETE FROM hosts_down WHERE node = ?').run(fault.node);
        return;
      case 'stop-vm':
        this.stopByHand(model, fault.vm, at, ends);
        return;
      case 'move-vm':
        this.moveByHand(model, fault.vm, fault.to, at, ends);
        return;
    }
  }

  private stopByHand(model: Model, vm: string, at: number, ends: JobEnd[]): void {
    const id = vmIdOf(model, vm);
    if (model.mapping.host(id) === undefined) throw new Error(`stop-vm: ${vm} is not running (${model.vmState(id)})`);
    this.interruptJobsOf(vm, `${vm} was stopped outside Ferry`, at, ends);
    this.store.change({ vms: [id] }, (m) => m.mapping.addReadyVM(id));
  }

  private moveByHand(model: Model, vm: string, to: string, at: number, ends: JobEnd[]): void {
    const id = vmIdOf(model, vm);
    const node = nodeIdOf(model, to);
    if (!model.mapping.isRunning(id)) throw new Error(`move-vm: ${vm} is not running (${model.vmState(id)})`);
    if (!model.mapping.isOnline(node)) throw new Error(`move-vm: ${to} is offline`);
    if (model.mapping.host(id) === node) return;
    this.interruptJobsOf(vm, `${vm} was moved to ${to} outside Ferry`, at, ends);
    this.store.change({ vms: [id] }, (m) => m.mapping.addRunningVM(id, node));
  }

  /** A VM changed by hand: whatever the hypervisor was doing with it fails. */
  private interruptJobsOf(vm: string, why: string, at: number, ends: JobEnd[]): void {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE subject = ? AND kind NOT IN ('bootNode', 'shutdownNode')").all(vm) as JobRow[];
    for (const job of rows.map(toJob)) ends.push(this.endJob(job, 'failed', at, `${describeAction(job.action)} failed: ${why}`));
  }

  /** Consumes a one-shot fault; true when there was one. */
  private takeFault(vm: string, kind: 'fail-migration'): boolean {
    return this.db.prepare('DELETE FROM faults WHERE vm = ? AND kind = ?').run(vm, kind).changes > 0;
  }

  private slowFactor(vm: string): number {
    const row = this.db.prepare("SELECT factor FROM faults WHERE vm = ? AND kind = 'slow-migration'").get(vm) as { factor: number } | undefined;
    return row?.factor ?? 1;
  }

  private isDown(node: string): boolean {
    return this.db.prepare('SELECT 1 FROM hosts_down WHERE node = ?').get(node) !== undefined;
  }

  private hostsDown(): string[] {
    return (this.db.prepare('SELECT node FROM hosts_down ORDER BY node').all() as { node: string }[]).map((r) => r.node);
  }

  // ---- storage ---------------------------------------------------------------------------------

  private initialise(options: DemoEngineOptions): void {
    this.store.write(() => {
      this.db.exec(SCHEMA);
      const version = this.meta('schema');
      if (version !== undefined) {
        if (version !== SCHEMA_VERSION) throw new Error(`the demo state in ${this.dir} has schema version ${version}; this Ferry reads version ${SCHEMA_VERSION} (remove the directory to start afresh)`);
        return;
      }
      const seed = JSON.stringify(modelToJson((options.seed ?? defaultFleet()).model));
      this.setMeta('schema', SCHEMA_VERSION);
      this.setMeta('seed', seed);
      this.setMeta('overbook', JSON.stringify(options.overbook ?? DEFAULT_OVERBOOK));
      this.setMeta('createdAt', String(this.now()));
      this.setMeta('seedGen', '1');
      this.setMeta('modelVersion', '0');
    });
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  private jobRows(): JobRow[] {
    return this.db.prepare('SELECT * FROM jobs ORDER BY id').all() as JobRow[];
  }

  // ---- the task log ----------------------------------------------------------------------------

  /** One line per write: O_APPEND keeps lines of concurrent processes whole. */
  private append(entry: DemoLogEntry): void {
    appendFileSync(this.logFile, `${JSON.stringify(entry)}\n`);
  }

  private logStart(at: number, requestId: string, action: NamedAction, result: DemoStart, duplicate: boolean): void {
    if (result.status === 'accepted') {
      this.append({ at, requestId, action, result: 'accepted', ...(result.job ? { endsAt: result.job.endsAt } : {}), ...(duplicate ? { duplicate } : {}) });
    } else this.append({ at, requestId, action, result: 'refused', error: result.error });
  }

  /** Logged after the commit: the database is the truth, the log may at worst miss a line. */
  private logEnds(ends: readonly JobEnd[]): void {
    for (const e of ends) {
      this.append({ at: e.at, requestId: e.job.requestId, action: e.job.action, event: e.event, ...(e.error === null ? {} : { error: e.error }) });
    }
  }
}

// ---- jobs --------------------------------------------------------------------------------------

/** The actions that take time on the demo hypervisor (kill and forge are instant). */
type JobAction = Exclude<NamedAction, { kind: 'killVM' | 'forgeVM' }>;

const JOB_KIND: Readonly<Record<JobAction['kind'], DemoJobKind>> = {
  migrateVM: 'migrate',
  bootVM: 'boot',
  shutdownVM: 'shutdown',
  suspendVM: 'suspend',
  resumeVM: 'resume',
  allocate: 'allocate',
  bootNode: 'bootNode',
  shutdownNode: 'shutdownNode',
};

function toJob(row: JobRow): DemoJob {
  return {
    id: row.id,
    requestId: row.requestId,
    kind: row.kind as DemoJobKind,
    subject: row.subject,
    from: row.fromNode,
    to: row.toNode,
    action: JSON.parse(row.action) as NamedAction,
    startedAt: row.startedAt,
    endsAt: row.endsAt,
    durationMs: row.durationMs,
    fails: row.fails !== 0,
    error: row.error,
    bytesTotal: row.bytesTotal,
  };
}

/** 0..1: how far a job is (a failing job stops part way). */
export function jobFraction(job: DemoJob, now: number): number {
  return Math.min(1, Math.max(0, (now - job.startedAt) / job.durationMs));
}

function endStatus(row: EndRow | undefined): DemoJobStatus {
  if (!row) return { state: 'unknown' };
  if (row.event === 'failed') return { state: 'failed', at: row.endedAt, error: row.error ?? 'failed' };
  return { state: row.event, at: row.endedAt };
}

function migrationFailure(action: Extract<NamedAction, { kind: 'migrateVM' }>): string {
  return `migration of ${action.vm} from ${action.from} to ${action.to} failed at ${Math.round(FAIL_AT * 100)} %: operation failed: job 'migration out' unexpectedly failed (the VM keeps running on ${action.from})`;
}

/** The nominal duration (ms at speed 1) of an action on the demo hypervisor. */
function nominalMs(model: Model, action: NamedAction): number {
  switch (action.kind) {
    case 'migrateVM':
      return migrationMs(model, action.vm, action.from);
    case 'bootVM':
      return DEMO_DURATIONS.bootVM * 1000;
    case 'shutdownVM':
      return DEMO_DURATIONS.shutdownVM * 1000;
    case 'suspendVM':
      return DEMO_DURATIONS.suspendVM * 1000;
    case 'resumeVM':
      return DEMO_DURATIONS.resumeVM * 1000;
    case 'bootNode':
      return DEMO_DURATIONS.bootNode * 1000;
    case 'shutdownNode':
      return DEMO_DURATIONS.shutdownNode * 1000;
    case 'allocate':
    case 'killVM':
    case 'forgeVM':
      return ALLOCATE_MS;
  }
}

/** memory MiB × 8 / (source link Gbit/s × 1024) seconds, at least 1 s. */
export function migrationMs(model: Model, vm: string, from: string): number {
  const node = model.nodeNames?.resolve(from);
  const link = node === undefined ? undefined : model.attributes.getNumber('node', node, 'linkGbps');
  const gbps = link !== undefined && link > 0 ? link : DEMO_LINK_GBPS;
  return Math.max(1000, Math.round(((memoryMiB(model, vm) * 8) / (gbps * 1024)) * 1000));
}

function memoryResource(model: Model): string | undefined {
  return [...model.resources.keys()].find((rc) => /^(mem|memory|ram)$/i.test(rc));
}

function memoryMiB(model: Model, vm: string): number {
  const rc = memoryResource(model);
  const id = model.vmNames?.resolve(vm);
  return rc === undefined || id === undefined ? 0 : (model.resource(rc)?.consumption(id) ?? 0);
}

function subjectOf(action: NamedAction): string {
  return action.kind === 'bootNode' || action.kind === 'shutdownNode' ? action.node : action.vm;
}

function jobEnds(action: NamedAction): { from: string | null; to: string | null } {
  switch (action.kind) {
    case 'migrateVM':
    case 'suspendVM':
    case 'resumeVM':
      return { from: action.from, to: action.to };
    case 'bootVM':
    case 'allocate':
      return { from: null, to: action.node };
    case 'shutdownVM':
      return { from: action.node, to: null };
    case 'killVM':
      return { from: action.node, to: null };
    default:
      return { from: null, to: null };
  }
}


/** The hosts a job in flight needs to answer before it can be seen to end. */
export function jobNodes(job: DemoJob): string[] {
  return nodesOf<string>(job.action);
}

/** Why the VM or a node of the action is taken by a job in flight, if so. */
function busyReason(action: NamedAction, jobs: readonly DemoJob[], now: number): string | undefined {
  const vm = action.kind === 'bootNode' || action.kind === 'shutdownNode' ? undefined : action.vm;
  const nodes = nodesOf<string>(action);
  for (const job of jobs) {
    const nodeJob = job.kind === 'bootNode' || job.kind === 'shutdownNode';
    if (!nodeJob && job.subject === vm) return `${vm} is busy: ${describeAction(job.action)} is under way (${Math.round(jobFraction(job, now) * 100)} %, request ${job.requestId})`;
    if (nodeJob && nodes.includes(job.subject)) return `${job.subject} is ${job.kind === 'bootNode' ? 'powering on' : 'powering off'}`;
    if (action.kind === 'shutdownNode' && !nodeJob && (job.from === action.node || job.to === action.node)) {
      return `${describeAction(job.action)} is still under way on it (request ${job.requestId})`;
    }
  }
  return undefined;
}

interface Arrival {
  readonly node: number;
  readonly amounts: ReadonlyMap<string, number>;
}

/** The elements an action's effect changes. */
function touchedBy(action: Action): Touched {
  switch (action.kind) {
    case 'bootNode':
    case 'shutdownNode':
      return { nodes: [action.node] };
    case 'allocate':
      return { consumptions: [[action.rc, action.vm]] };
    default:
      return { vms: [action.vm] };
  }
}

/** What an action will add to a node's load when it ends (migrations, boots, resumes, increases). */
function arrivalOf(model: Model, action: Action): Arrival | undefined {
  switch (action.kind) {
    case 'migrateVM':
    case 'resumeVM':
      return { node: action.to, amounts: consumptions(model, action.vm) };
    case 'bootVM':
      return { node: action.node, amounts: consumptions(model, action.vm) };
    case 'allocate': {
      const current = model.resource(action.rc)?.consumption(action.vm) ?? 0;
      return { node: action.node, amounts: new Map([[action.rc, action.amount - current]]) };
    }
    default:
      return undefined;
  }
}

function consumptions(model: Model, vm: number): Map<string, number> {
  return new Map([...model.resources].map(([rc, view]) => [rc, view.consumption(vm)]));
}

/** What the jobs in flight will bring to `node` of `rc`. */
function incoming(model: Model, jobs: readonly DemoJob[], node: number, rc: string): number {
  let total = 0;
  for (const job of jobs) {
    const resolved = resolveAction(model, job.action);
    if ('error' in resolved) continue;
    const arrival = arrivalOf(model, resolved.action);
    if (arrival?.node === node) total += Math.max(0, arrival.amounts.get(rc) ?? 0);
  }
  return total;
}

function amount(rc: string, value: number): string {
  if (/^(mem|memory|ram)$/i.test(rc)) return `${Math.round((value / 1024) * 10) / 10} GiB`;
  return `${Math.round(value * 10) / 10}`;
}

// ---- names -------------------------------------------------------------------------------------

function vmIdOf(model: Model, name: string): number {
  const id = model.vmNames?.resolve(name);
  if (id === undefined) throw new Error(`there is no VM named '${name}' on this cluster`);
  return id;
}

function nodeIdOf(model: Model, name: string): number {
  const id = model.nodeNames?.resolve(name);
  if (id === undefined) throw new Error(`there is no host named '${name}' on this cluster`);
  return id;
}

/** A named action as a plan action over the model's ids (times are irrelevant here). */
function resolveAction(model: Model, a: NamedAction): { action: Action } | { error: string } {
  try {
    const vm = (name: string): number => vmIdOf(model, name);
    const node = (name: string): number => nodeIdOf(model, name);
    const t = { start: 0, end: 0 };
    switch (a.kind) {
      case 'migrateVM':
      case 'suspendVM':
      case 'resumeVM':
        return { action: { kind: a.kind, vm: vm(a.vm), from: node(a.from), to: node(a.to), ...t } };
      case 'bootVM':
      case 'shutdownVM':
        return { action: { kind: a.kind, vm: vm(a.vm), node: node(a.node), ...t } };
      case 'killVM':
        return { action: { kind: a.kind, vm: vm(a.vm), node: a.node === null ? null : node(a.node), ...t } };
      case 'forgeVM':
        return { action: { kind: a.kind, vm: vm(a.vm), ...t } };
      case 'bootNode':
      case 'shutdownNode':
        return { action: { kind: a.kind, node: node(a.node), ...t } };
      case 'allocate':
        return { action: { kind: a.kind, vm: vm(a.vm), node: node(a.node), rc: a.rc, amount: a.amount, ...t } };
    }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The action in operator words, as a hypervisor's task list shows it. */
export function describeAction(a: NamedAction): string {
  switch (a.kind) {
    case 'migrateVM':
      return `migrate ${a.vm} from ${a.from} to ${a.to}`;
    case 'bootVM':
      return `boot ${a.vm} on ${a.node}`;
    case 'shutdownVM':
      return `shut down ${a.vm} on ${a.node}`;
    case 'suspendVM':
      return `suspend ${a.vm} on ${a.from}`;
    case 'resumeVM':
      return a.from === a.to ? `resume ${a.vm} on ${a.to}` : `resume ${a.vm} from ${a.from} on ${a.to}`;
    case 'killVM':
      return a.node === null ? `kill ${a.vm}` : `kill ${a.vm} on ${a.node}`;
    case 'forgeVM':
      return `forge ${a.vm}`;
    case 'bootNode':
      return `power on ${a.node}`;
    case 'shutdownNode':
      return `power off ${a.node}`;
    case 'allocate':
      return `set ${a.rc} of ${a.vm} to ${a.amount} on ${a.node}`;
  }
}
