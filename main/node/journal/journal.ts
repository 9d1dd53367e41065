/**
 * The crash-safe journal: every state change of a run is committed (WAL, `synchronous = FULL`:
 * fsynced) before anyone acts on it, so after a crash the journal says at least everything that
 * was done, and a resume re-reads whatever it says was running. Shared by every process and
 * operator of a machine (SQLite locking; writes in BEGIN IMMEDIATE with a 5 s busy timeout), which
 * is also what makes the per-cluster run lock (table `locks`, rules in ./lock.ts) atomic.
 *
 * Every SQLite failure comes out as a JournalError naming the file and what was not done; the
 * usual ones (read-only, disk full, damaged file, binding not built) are detected at `open`.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

import type { ExecEvent, Run, Step } from '../../../src/executor/types.js';
import type { EntryChanges, JournalEntry, RevisionRecord, RunMeta, RunSummary } from '../../../src/report/journal-records.js';
import { doneSteps, runChanges } from '../../../src/report/journal-records.js';
import { describeHolder, type HostView, type LockHolder, type LockRequest, pidAlive, refusal, sameProcess, staleness } from './lock.js';
import { type AddedPlan, KEEP_PLANS, type NewPlanRecord, type PlanQuery, type PlanRecord, type PlanRecordSummary, PlanRows } from './plans.js';
import { migrate, type SchemaProblem } from './schema.js';

export type { EntryChanges, JournalEntry, RevisionRecord, RunMeta, RunSummary, StepChange } from '../../../src/report/journal-records.js';
export type { LockHolder } from './lock.js';
export { STALE_AFTER_MS } from './lock.js';
export { type AddedPlan, KEEP_PLANS, type NewPlanRecord, type PlanQuery, type PlanRecord, type PlanRecordSummary, type PlanSource, newPlanId } from './plans.js';

export type JournalErrorCode = 'readonly' | 'full' | 'corrupt' | 'locked' | 'missing-binding' | 'io';

/** A journal that cannot be opened or written; `message` is for the operator as it is. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly code: JournalErrorCode,
    message: string,
    readonly file: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** `r20261207-114502-3fa9`: sorts by creation time (UTC), short enough to type a prefix of. */
export function newRunId(now: number): string {
  const t = new Date(now).toISOString();
  const date = t.slice(0, 10).replaceAll('-', '');
  const time = t.slice(11, 19).replaceAll(':', '');
  return `r${date}-${time}-${randomBytes(2).toString('hex')}`;
}

export interface OpenOptions {
  /** The compiled better-sqlite3 addon to load instead of the default (packaging, tests). */
  readonly nativeBinding?: string;
}

export type AcquireResult = { readonly ok: true } | { readonly ok: false; readonly holder: LockHolder; readonly stale: boolean; readonly message: string };
export type TakeOverResult = { readonly ok: true; readonly previous: LockHolder } | { readonly ok: false; readonly message: string };

/** What an operation was, for its error message: `cannot <verb> the journal F: why; <consequence>`. */
interface Doing {
  readonly verb: 'open' | 'read' | 'write';
  readonly consequence?: string;
}

const OPEN: Doing = { verb: 'open' };
const READ: Doing = { verb: 'read' };
const NOTE: Doing = { verb: 'write', consequence: 'the note was not recorded' };
const LOCK: Doing = { verb: 'write', consequence: 'the cluster lock was not changed' };
const PLAN: Doing = { verb: 'write', consequence: 'the computed plan was not kept in History' };

/** Ferry's own executor, as the actor of events nobody typed (results of the ports). */
const EXECUTOR = 'ferry';

export class Journal {
  private readonly s: Statements;
  private readonly plans: PlanRows;
  /** Each run's state as last written or read by this connection (valid while its seq is the row's). */
  private readonly last = new Map<string, Stored>();
  /** Locks this connection took, so a heartbeat or release touches only its own lock. */
  private readonly held = new Map<string, LockRequest>();
  private readonly here: HostView = { host: hostname(), alive: pidAlive };
  private readonly recordTx: (runId: string, event: ExecEvent, next: Run, note: string | null) => Stored;

  private constructor(
    readonly file: string,
    private readonly db: SqliteDatabase,
  ) {
    this.s = prepareStatements(db);
    this.plans = new PlanRows(db);
    this.recordTx = db.transaction((runId: string, event: ExecEvent, next: Run, note: string | null) => this.writeRecord(runId, event, next, note)).immediate;
  }

  /**
   * Opens (creating when needed) the journal and proves it writable: the schema is checked and a
   * row written and committed, so a read-only folder, a full disk or a damaged file stop the
   * operator here rather than at the first step of a run.
   */
  static open(file: string, options: OpenOptions = {}): Journal {
    const db = connect(file, options);
    try {
      configure(db);
      const problem = db
        .transaction(() => {
          const p = migrate(db);
          if (!p) probe(db);
          return p;
        })
        .immediate();
      if (problem) throw schemaError(file, problem);
      return new Journal(file, db);
    } catch (e) {
      db.close();
      throw journalError(e, file, OPEN);
    }
  }

  close(): void {
    this.last.clear();
    if (this.db.open) this.db.close();
  }

  /** Journals a new run: its state row, its first revision and a `run-created` entry, at once. */
  createRun(run: Run, meta: RunMeta, revision: RevisionRecord): void {
    const stored = this.write({ verb: 'write', consequence: 'the run was not created' }, () =>
      this.db
        .transaction((): Stored => {
          if (this.s.runHead.get(run.runId)) throw new Error(`run ${run.runId} already exists in the journal ${this.file}`);
          this.s.insertRun.run(runRow(run, meta));
          const stepJson = this.insertSteps(run);
          this.s.insertRevision.run(revisionRow(run.runId, revision));
          const event = { revision: revision.revision, steps: run.steps.length, mode: run.mode, maxPerHost: run.maxPerHost, windowSeconds: run.windowSeconds, scriptName: meta.scriptName };
          const seq = this.insertEntry({ runId: run.runId, at: run.createdAt, actor: meta.createdBy, type: 'run-created', event, revision: run.revision, hash: run.constraintHash, note: revision.reason, changes: runChanges(undefined, run) });
          this.s.setStateSeq.run(seq, run.runId);
          return { seq, run, stepJson };
        })
        .immediate(),
    );
    this.remember(run.runId, stored);
  }

  /**
   * Journals one event and the run state it led to, in one transaction; returns the entry's seq.
   * Act on `next` only after this returns: then the journal already says it.
   */
  record(runId: string, event: ExecEvent, next: Run, note?: string): number {
    if (next.runId !== runId) throw new Error(`record: the state of run ${next.runId} was given for run ${runId}`);
    const stored = this.write({ verb: 'write', consequence: 'no step was started' }, () => this.recordTx(runId, event, next, note ?? null));
    this.remember(runId, stored);
    return stored.seq;
  }

  /** Keeps a plan revision (the initial plan is given to createRun). */
  addRevision(runId: string, revision: RevisionRecord): void {
    this.write({ verb: 'write', consequence: 'the re-plan was not recorded' }, () => {
      this.db
        .transaction(() => {
          const head = this.head(runId);
          this.s.insertRevision.run(revisionRow(runId, revision));
          const event = { revision: revision.revision, constraintHash: revision.constraintHash, reason: revision.reason };
          this.insertEntry({ runId, at: revision.createdAt, actor: EXECUTOR, type: 'revision-added', event, ...current(head), note: revision.reason, changes: undefined });
        })
        .immediate();
    });
  }

  /** An audit note on a run (lock taken over, crash recovered, …). */
  note(runId: string, at: number, text: string, actor?: string): void {
    this.write(NOTE, () => {
      this.db.transaction(() => this.insertEntry({ runId, at, actor: actor ?? null, type: 'note', event: null, ...current(this.head(runId)), note: text, changes: undefined })).immediate();
    });
  }

  /** The run's current state, how it was asked for and its plans; undefined when unknown. */
  loadRun(runId: string): { run: Run; meta: RunMeta; revisions: RevisionRecord[] } | undefined {
    return this.write(READ, () =>
      this.db.transaction(() => {
        const row = this.s.loadRun.get(runId) as LoadRow | undefined;
        if (!row) return undefined;
        const stored = this.readState(runId, row);
        this.remember(runId, stored);
        const run = stored.run;
        const meta: RunMeta = { createdBy: row.created_by, script: row.script, scriptName: row.script_name, options: this.parse(row.options, `the options of run ${runId}`) };
        const revisions = (this.s.revisions.all(runId) as RevisionRow[]).map((r) => this.revisionOf(r));
        return { run, meta, revisions };
      })(),
    );
  }

  /** The run's audit trail, oldest first. */
  entries(runId: string): JournalEntry[] {
    return this.write(READ, () => (this.s.entries.all(runId) as EntryRow[]).map((r) => this.entryOf(r)));
  }

  /** Every run, newest first. */
  listRuns(): RunSummary[] {
    return this.write(READ, () => (this.s.listRuns.all() as SummaryRow[]).map(summaryOf));
  }

  /** The ids of the runs starting with `prefix` (operators type short ids), sorted. */
  findRun(prefix: string): string[] {
    const p = prefix.trim();
    if (p === '') return [];
    // a range on the primary key: U+10FFFF sorts after every character an id can continue with
    return this.write(READ, () => (this.s.findRun.all(p, `${p}\u{10FFFF}`) as { run_id: string }[]).map((r) => r.run_id));
  }

  /**
   * Takes the cluster's run lock for `holder.runId`. Refused while another run holds it, and
   * while another process holds it for this same run; a stale lock is reported (`stale: true`),
   * never broken here: only takeOverStaleLock takes it, explicitly.
   */
  acquireLock(clusterId: string, holder: LockRequest, now: number): AcquireResult {
    const result = this.transact(LOCK, (): AcquireResult => {
      const current = this.lockOf(clusterId);
      if (current && !(current.runId === holder.runId && sameProcess(current, holder))) {
        const stale = staleness(current, now, this.here);
        return { ok: false, holder: current, stale: stale !== null, message: refusal(clusterId, current, stale, holder) };
      }
      if (current) this.s.beat.run({ clusterId, runId: holder.runId, host: holder.host, pid: holder.pid, now });
      else this.s.putLock.run(lockRow(clusterId, holder, now));
      return { ok: true };
    });
    if (result.ok) this.held.set(clusterId, holder);
    return result;
  }

  /** Takes over a stale lock (only a stale one), with an audit note on the previous holder's run. */
  takeOverStaleLock(clusterId: string, holder: LockRequest, now: number): TakeOverResult {
    const result = this.transact(LOCK, (): TakeOverResult => {
      const previous = this.lockOf(clusterId);
      if (!previous) return { ok: false, message: `cluster ${clusterId} is not locked: there is no lock to take over` };
      const stale = staleness(previous, now, this.here);
      if (!stale) return { ok: false, message: `${refusal(clusterId, previous, null, holder)}; only a stale lock may be taken over` };
      this.s.putLock.run(lockRow(clusterId, holder, now));
      const why = stale.kind === 'dead' ? 'its process is not running any more' : 'it gave no sign of life for more than 120 s';
      const text = `lock of cluster ${clusterId} taken over for run ${holder.runId} (${holder.user}@${holder.host}, pid ${holder.pid}) from ${describeHolder(previous)}: ${why}`;
      const run = this.s.runHead.get(previous.runId) as HeadRow | undefined;
      if (run) this.insertEntry({ runId: previous.runId, at: now, actor: `${holder.user}@${holder.host}`, type: 'note', event: null, ...current(run), note: text, changes: undefined });
      return { ok: true, previous };
    });
    if (result.ok) this.held.set(clusterId, holder);
    return result;
  }

  /**
   * The holder's sign of life (the driver beats far more often than STALE_AFTER_MS). Throws a
   * JournalError `locked` when the lock is no longer this run's (taken over as stale): the caller
   * must start no more steps.
   */
  heartbeat(clusterId: string, runId: string, now: number): void {
    this.write(LOCK, () => {
      const mine = this.held.get(clusterId);
      const changed = mine?.runId === runId ? this.s.beat.run({ clusterId, runId, host: mine.host, pid: mine.pid, now }).changes : this.s.beatRun.run({ clusterId, runId, now }).changes;
      if (changed > 0) return;
      const current = this.lockOf(clusterId);
      const instead = current ? `it is held by ${describeHolder(current)}` : 'it was released';
      throw new JournalError('locked', `run ${runId} no longer holds the lock of cluster ${clusterId}: ${instead}; start no more steps of run ${runId}`, this.file);
    });
  }

  /** Releases the run's lock on the cluster; nothing happens when it does not hold it. */
  releaseLock(clusterId: string, runId: string): void {
    this.write(LOCK, () => {
      const mine = this.held.get(clusterId);
      if (mine?.runId === runId) this.s.releaseMine.run({ clusterId, runId, host: mine.host, pid: mine.pid });
      else this.s.releaseRun.run({ clusterId, runId });
    });
    if (this.held.get(clusterId)?.runId === runId) this.held.delete(clusterId);
  }

  /** Who holds the cluster's lock, if anyone (for status displays). */
  currentLock(clusterId: string): LockHolder | undefined {
    return this.write(READ, () => this.lockOf(clusterId));
  }

  /**
   * Keeps a computed plan; the oldest beyond `keep` are dropped in the same transaction, with the
   * origins no plan starts from any more. 'origin-missing': the plan named its origin by digest
   * only and the journal does not have it (dropped meanwhile): nothing was written, give it whole.
   */
  recordPlan(plan: NewPlanRecord, keep: number = KEEP_PLANS): AddedPlan {
    return this.transact(PLAN, () => this.plans.add(plan, keep));
  }

  /** True when a plan origin of this digest is kept (a new plan may name it without its body). */
  keepsPlanOrigin(digest: string): boolean {
    return this.write(READ, () => this.plans.keepsOrigin(digest));
  }

  /** Computed plans, newest first, without their bodies. */
  listPlans(query: PlanQuery): PlanRecordSummary[] {
    return this.write(READ, () => this.plans.summaries(query, this.parser));
  }

  /** One computed plan with its (compressed) body; undefined when unknown or dropped. */
  loadPlan(planId: string): PlanRecord | undefined {
    return this.write(READ, () => this.plans.find(planId, this.parser));
  }

  /** Notes that a run was created from a plan; false when the plan is not (or no longer) kept. */
  linkPlanRun(planId: string, runId: string): boolean {
    return this.transact({ verb: 'write', consequence: 'the run was not linked to its plan' }, () => this.plans.linkRun(planId, runId));
  }

  // ---- internals -------------------------------------------------------------------------------

  private writeRecord(runId: string, event: ExecEvent, next: Run, note: string | null): Stored {
    const head = this.head(runId);
    const prev = this.previous(runId, head.state_seq);
    const actor = 'by' in event ? event.by : EXECUTOR;
    const seq = this.insertEntry({ runId, at: event.at, actor, type: event.type, event, revision: next.revision, hash: next.constraintHash, note, changes: runChanges(prev.run, next) });
    const stepJson = this.writeSteps(prev, next);
    this.s.updateRun.run({ runId, state: next.state, at: event.at, steps: next.steps.length, done: doneSteps(next), revision: next.revision, hash: next.constraintHash, run: headerJson(next), seq });
    return { seq, run: next, stepJson };
  }

  /**
   * Keeps a state as the run's last, once its transaction committed: a rolled-back seq is
   * reused by the next insert, so remembering it earlier could pair another writer's row with
   * this state.
   */
  private remember(runId: string, stored: Stored): void {
    this.last.set(runId, stored);
  }

  /** The state the rows hold: the one this connection wrote, unless someone wrote since. */
  private previous(runId: string, stateSeq: number): Stored {
    const cached = this.last.get(runId);
    if (cached && cached.seq === stateSeq) return cached;
    return this.readState(runId, this.s.runState.get(runId) as StateRow);
  }

  /**
   * Rewrites the rows of the steps whose JSON changed (usually one or two). A step object the
   * previous state already had is unchanged: states are immutable (the executor replaces what it
   * changes), which spares stringifying a thousand steps per record.
   */
  private writeSteps(prev: Stored, next: Run): string[] {
    const sameOrder = prev.run.steps.length === next.steps.length && next.steps.every((s, i) => prev.run.steps[i]?.id === s.id);
    if (!sameOrder) {
      this.s.deleteSteps.run(next.runId);
      return this.insertSteps(next);
    }
    const json = [...prev.stepJson];
    next.steps.forEach((s, i) => {
      if (s === prev.run.steps[i]) return;
      const text = JSON.stringify(s);
      if (text === json[i]) return;
      this.s.updateStep.run(text, next.runId, i);
      json[i] = text;
    });
    return json;
  }

  private insertSteps(run: Run): string[] {
    return run.steps.map((s, i) => {
      const text = JSON.stringify(s);
      this.s.insertStep.run(run.runId, i, s.id, text);
      return text;
    });
  }

  /** A run's state from its rows; rows that do not fit together are damage. */
  private readState(runId: string, row: StateRow): Stored {
    const what = `the state of run ${runId}`;
    const header = this.parse<Omit<Run, 'steps'>>(row.run, what);
    const rows = this.s.steps.all(runId) as StepRow[];
    if (rows.length !== row.steps || rows.some((r, i) => r.position !== i)) {
      throw new JournalError('corrupt', `cannot read the journal ${this.file}: ${what} is damaged (its step rows do not match); ${HINT.corrupt}`, this.file);
    }
    const steps = rows.map((r) => this.parse<Step>(r.step, what));
    return { seq: row.state_seq, run: { ...header, steps }, stepJson: rows.map((r) => r.step) };
  }

  private head(runId: string): HeadRow {
    const head = this.s.runHead.get(runId) as HeadRow | undefined;
    if (!head) throw new Error(`no run ${runId} in the journal ${this.file}`);
    return head;
  }

  private insertEntry(e: NewEntry): number {
    const info = this.s.insertEntry.run({ ...e, event: e.event === null ? null : JSON.stringify(e.event), changes: e.changes ? JSON.stringify(e.changes) : null });
    return Number(info.lastInsertRowid);
  }

  private lockOf(clusterId: string): LockHolder | undefined {
    const r = this.s.getLock.get(clusterId) as LockRow | undefined;
    return r && { runId: r.run_id, user: r.user, host: r.host, pid: r.pid, since: r.since, heartbeat: r.heartbeat };
  }

  private revisionOf(r: RevisionRow): RevisionRecord {
    const what = `revision ${r.revision} of run ${r.run_id}`;
    return { revision: r.revision, constraintHash: r.constraint_hash, plan: this.parse(r.plan, what), originFacts: this.parse(r.origin_facts, what), createdAt: r.created_at, reason: r.reason };
  }

  private entryOf(r: EntryRow): JournalEntry {
    const what = `journal entry ${r.seq}`;
    const changes = r.changes === null ? undefined : this.parse<EntryChanges>(r.changes, what);
    const entry = { seq: r.seq, runId: r.run_id, at: r.at, actor: r.actor, type: r.type, event: r.event === null ? null : this.parse(r.event, what), revision: r.revision, constraintHash: r.constraint_hash, note: r.note };
    return changes ? { ...entry, changes } : entry;
  }

  private readonly parser = <T>(text: string, what: string): T => this.parse<T>(text, what);

  /** JSON the journal wrote; anything else in its place is damage. */
  private parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new JournalError('corrupt', `cannot read the journal ${this.file}: ${what} is damaged (not JSON); ${HINT.corrupt}`, this.file, { cause: e });
    }
  }

  private transact<T>(doing: Doing, fn: () => T): T {
    return this.write(doing, () => this.db.transaction(fn).immediate());
  }

  private write<T>(doing: Doing, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isSqliteError(e) || e instanceof JournalError) throw journalError(e, this.file, doing);
      throw e;
    }
  }
}

// ---- opening -----------------------------------------------------------------------------------

function connect(file: string, options: OpenOptions): SqliteDatabase {
  if (!existsSync(dirname(file))) {
    throw new JournalError('io', `cannot open the journal ${file}: the folder ${dirname(file)} does not exist`, file);
  }
  try {
    // timeout: how long a write waits for another process's transaction (busy_timeout)
    return new Database(file, { timeout: 5000, ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }) });
  } catch (e) {
    throw journalError(e, file, OPEN);
  }
}

function configure(db: SqliteDatabase): void {
  // WAL: readers (status, reports, another operator's console) never block the writer, and a
  // commit is one append + fsync; FULL makes that fsync happen on every commit
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
}

/** A real, committed write: the only sure way to know that writing works on this file. */
function probe(db: SqliteDatabase): void {
  const opened = JSON.stringify({ at: Date.now(), host: hostname(), pid: process.pid });
  db.prepare("INSERT INTO meta (key, value) VALUES ('last-opened', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(opened);
}

function schemaError(file: string, problem: SchemaProblem): JournalError {
  return problem.kind === 'newer'
    ? new JournalError('io', `cannot open the journal ${file}: it was written by a newer Ferry (journal version ${problem.version}); update Ferry to read it`, file)
    : new JournalError('corrupt', `cannot open the journal ${file}: it is an SQLite database of ${problem.applicationId === 0 ? 'something else' : `another application (application id ${problem.applicationId})`}, not a Ferry journal; move it aside or set FERRY_HOME to another folder`, file);
}

// ---- errors ------------------------------------------------------------------------------------

const WHY: Record<JournalErrorCode, string> = {
  readonly: 'the file or its folder is read-only',
  full: 'the disk is full',
  corrupt: 'the file is damaged, or is not a Ferry journal',
  locked: 'another Ferry process kept it busy for more than 5 s',
  'missing-binding': 'the SQLite module (better-sqlite3) is not built for this Node.js',
  io: 'an input/output error',
};

const HINT: Record<JournalErrorCode, string> = {
  readonly: 'make it writable, or set FERRY_HOME to a writable folder',
  full: 'free some space on that disk',
  corrupt: 'move the file aside (keep it for support) and Ferry starts a new journal',
  locked: 'try again',
  'missing-binding': 'run `npm run setup`',
  io: 'check the disk',
};

function isSqliteError(e: unknown): e is Error & { code: string } {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** `cannot write the journal /x/journal.sqlite: the disk is full (SQLITE_FULL); no step was started; free some space on that disk` */
function journalError(e: unknown, file: string, doing: Doing): JournalError {
  if (e instanceof JournalError) return e;
  const code = classify(e, file);
  const detail = isSqliteError(e) ? e.code : firstLine(e);
  const consequence = doing.consequence === undefined ? '' : `; ${doing.consequence}`;
  return new JournalError(code, `cannot ${doing.verb} the journal ${file}: ${WHY[code]} (${detail})${consequence}; ${HINT[code]}`, file, { cause: e });
}

function classify(e: unknown, file: string): JournalErrorCode {
  if (!isSqliteError(e)) return isBindingError(e) ? 'missing-binding' : 'io';
  const c = e.code;
  if (c.startsWith('SQLITE_READONLY')) return 'readonly';
  if (c === 'SQLITE_FULL') return 'full';
  if (c === 'SQLITE_NOTADB' || c.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  if (c.startsWith('SQLITE_BUSY') || c.startsWith('SQLITE_LOCKED')) return 'locked';
  // SQLite cannot tell these apart by its code: the file system can
  if (c.startsWith('SQLITE_CANTOPEN') || c.startsWith('SQLITE_IOERR')) {
    if (diskFull(file)) return 'full';
    if (!writable(file)) return 'readonly';
  }
  return 'io';
}

function isBindingError(e: unknown): boolean {
  const text = e instanceof Error ? `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` : String(e);
  return /bindings file|better_sqlite3\.node|NODE_MODULE_VERSION|ERR_DLOPEN_FAILED|MODULE_NOT_FOUND|invalid ELF|wrong ELF/i.test(text);
}

function diskFull(file: string): boolean {
  try {
    const fs = statfsSync(dirname(file));
    return fs.bavail * fs.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/** access(2) also reports a read-only mount (EROFS), which a mode check would not. */
function writable(file: string): boolean {
  try {
    accessSync(dirname(file), constants.W_OK);
    if (existsSync(file)) accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n', 1)[0] ?? text;
}

// ---- rows and statements -----------------------------------------------------------------------

/** An entry to insert; `revision` and `hash` are the run's once the entry applies. */
interface NewEntry {
  readonly runId: string;
  readonly at: number;
  readonly actor: string | null;
  readonly type: string;
  readonly event: unknown;
  readonly revision: number;
  readonly hash: string;
  readonly note: string | null;
  readonly changes: EntryChanges | undefined;
}

/** The revision and hash a note or a revision row is filed under: the run's current ones. */
function current(head: HeadRow): { revision: number; hash: string } {
  return { revision: head.revision, hash: head.constraint_hash };
}

/** A run's state as stored: the Run and each step's JSON as its row holds it. */
interface Stored {
  /** The seq of the entry that wrote this state (`runs.state_seq`). */
  readonly seq: number;
  readonly run: Run;
  readonly stepJson: readonly string[];
}

interface StateRow {
  readonly run: string;
  readonly steps: number;
  readonly state_seq: number;
}
interface StepRow {
  readonly position: number;
  readonly step: string;
}
interface HeadRow {
  readonly revision: number;
  readonly constraint_hash: string;
  readonly state_seq: number;
}
interface LoadRow extends StateRow {
  readonly created_by: string;
  readonly script: string;
  readonly script_name: string;
  readonly options: string;
}
interface RevisionRow {
  readonly run_id: string;
  readonly revision: number;
  readonly constraint_hash: string;
  readonly plan: string;
  readonly origin_facts: string;
  readonly created_at: number;
  readonly reason: string;
}
interface EntryRow {
  readonly seq: number;
  readonly run_id: string;
  readonly at: number;
  readonly actor: string | null;
  readonly type: string;
  readonly event: string | null;
  readonly revision: number;
  readonly constraint_hash: string;
  readonly note: string | null;
  readonly changes: string | null;
}
interface SummaryRow {
  readonly run_id: string;
  readonly cluster_id: string;
  readonly state: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly created_by: string;
  readonly steps: number;
  readonly done: number;
  readonly revision: number;
}
interface LockRow {
  readonly run_id: string;
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly since: number;
  readonly heartbeat: number;
}

function summaryOf(r: SummaryRow): RunSummary {
  return { runId: r.run_id, clusterId: r.cluster_id, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at, createdBy: r.created_by, steps: r.steps, done: r.done, revision: r.revision };
}

function runRow(run: Run, meta: RunMeta): Record<string, unknown> {
  return {
    runId: run.runId,
    clusterId: run.clusterId,
    state: run.state,
    createdAt: run.createdAt,
    createdBy: meta.createdBy,
    script: meta.script,
    scriptName: meta.scriptName,
    options: JSON.stringify(meta.options),
    steps: run.steps.length,
    done: doneSteps(run),
    revision: run.revision,
    hash: run.constraintHash,
    run: headerJson(run),
  };
}

/** The Run without its steps (they have rows of their own). */
function headerJson(run: Run): string {
  const { steps: _steps, ...header } = run;
  return JSON.stringify(header);
}

function revisionRow(runId: string, r: RevisionRecord): Record<string, unknown> {
  return { runId, revision: r.revision, hash: r.constraintHash, plan: JSON.stringify(r.plan) ?? 'null', origin: JSON.stringify(r.originFacts) ?? 'null', createdAt: r.createdAt, reason: r.reason };
}

function lockRow(clusterId: string, h: LockRequest, now: number): Record<string, unknown> {
  return { clusterId, runId: h.runId, user: h.user, host: h.host, pid: h.pid, now };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Prepared once per connection: a record() is one read, one entry, the changed step rows and the run row. */
function prepareStatements(db: SqliteDatabase) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    insertRun: p(`INSERT INTO runs (run_id, cluster_id, state, created_at, updated_at, created_by, script, script_name, options, steps, done, revision, constraint_hash, run, state_seq)
                  VALUES (@runId, @clusterId, @state, @createdAt, @createdAt, @createdBy, @script, @scriptName, @options, @steps, @done, @revision, @hash, @run, 0)`),
    setStateSeq: p('UPDATE runs SET state_seq = ? WHERE run_id = ?'),
    updateRun: p(`UPDATE runs SET state = @state, updated_at = @at, steps = @steps, done = @done, revision = @revision, constraint_hash = @hash, run = @run, state_seq = @seq
                  WHERE run_id = @runId`),
    runHead: p('SELECT revision, constraint_hash, state_seq FROM runs WHERE run_id = ?'),
    runState: p('SELECT run, steps, state_seq FROM runs WHERE run_id = ?'),
    loadRun: p('SELECT run, steps, state_seq, created_by, script, script_name, options FROM runs WHERE run_id = ?'),
    steps: p('SELECT position, step FROM run_steps WHERE run_id = ? ORDER BY position'),
    insertStep: p('INSERT INTO run_steps (run_id, position, step_id, step) VALUES (?, ?, ?, ?)'),
    updateStep: p('UPDATE run_steps SET step = ? WHERE run_id = ? AND position = ?'),
    deleteSteps: p('DELETE FROM run_steps WHERE run_id = ?'),
    listRuns: p('SELECT run_id, cluster_id, state, created_at, updated_at, created_by, steps, done, revision FROM runs ORDER BY created_at DESC, run_id DESC'),
    findRun: p('SELECT run_id FROM runs WHERE run_id >= ? AND run_id < ? ORDER BY run_id'),
    insertRevision: p(`INSERT INTO revisions (run_id, revision, constraint_hash, plan, origin_facts, created_at, reason)
                       VALUES (@runId, @revision, @hash, @plan, @origin, @createdAt, @reason)`),
    revisions: p('SELECT * FROM revisions WHERE run_id = ? ORDER BY revision'),
    insertEntry: p(`INSERT INTO entries (run_id, at, actor, type, event, revision, constraint_hash, note, changes)
                    VALUES (@runId, @at, @actor, @type, @event, @revision, @hash, @note, @changes)`),
    entries: p('SELECT * FROM entries WHERE run_id = ? ORDER BY seq'),
    getLock: p('SELECT * FROM locks WHERE cluster_id = ?'),
    putLock: p(`INSERT INTO locks (cluster_id, run_id, user, host, pid, since, heartbeat) VALUES (@clusterId, @runId, @user, @host, @pid, @now, @now)
                ON CONFLICT (cluster_id) DO UPDATE SET run_id = excluded.run_id, user = excluded.user, host = excluded.host, pid = excluded.pid, since = excluded.since, heartbeat = excluded.heartbeat`),
    beat: p('UPDATE locks SET heartbeat = @now WHERE cluster_id = @clusterId AND run_id = @runId AND host = @host AND pid = @pid'),
    beatRun: p('UPDATE locks SET heartbeat = @now WHERE cluster_id = @clusterId AND run_id = @runId'),
    releaseMine: p('DELETE FROM locks WHERE cluster_id = @clusterId AND run_id = @runId AND host = @host AND pid = @pid'),
    releaseRun: p('DELETE FROM locks WHERE cluster_id = @clusterId AND run_id = @runId'),
  };
}
