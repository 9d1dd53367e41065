/**
 * The settled model of the demo cluster in `state.sqlite`, kept proportional to what changes.
 *
 * The seed model's JSON (`meta.seed`: resources, attributes, names, the initial placement) is
 * written when the state is created and on reset, never afterwards. Every change since is a row
 * holding the element's new state: `vm_state` (a VM's state and host), `node_state` (a node's
 * power), `consumption` (a VM's consumption of a resource, set by allocate). Each row carries the
 * `meta.modelVersion` its write produced, so a process whose in-memory model is at version v reads
 * only the rows of versions > v, and only when another process wrote (the version differs).
 * `meta.seedGen` changes on reset: the in-memory model is then rebuilt from the seed.
 *
 * The in-memory model is shared with the engine: read it inside a transaction (`current`), change
 * it only through `change`, inside a write transaction opened by `write` (a rolled-back change
 * drops it, to be rebuilt from the database).
 */
import type Database from 'better-sqlite3';

import { modelFromJson } from '../../../src/instance/json.js';
import type { Model } from '../../../src/model/index.js';

export const MODEL_SCHEMA = `
CREATE TABLE IF NOT EXISTS vm_state (vm INTEGER PRIMARY KEY, state TEXT NOT NULL, host INTEGER, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS vm_state_version ON vm_state (version);
CREATE TABLE IF NOT EXISTS node_state (node INTEGER PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS node_state_version ON node_state (version);
CREATE TABLE IF NOT EXISTS consumption (rc TEXT NOT NULL, vm INTEGER NOT NULL, amount REAL NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (rc, vm));
CREATE INDEX IF NOT EXISTS consumption_version ON consumption (version);
`;

/** The elements a change touched: their state after it is what gets written. */
export interface Touched {
  readonly vms?: readonly number[];
  readonly nodes?: readonly number[];
  readonly consumptions?: readonly (readonly [rc: string, vm: number])[];
}

interface VmRow {
  vm: number;
  state: string;
  host: number | null;
}

interface NodeRow {
  node: number;
  state: string;
}

interface ConsumptionRow {
  rc: string;
  vm: number;
  amount: number;
}

export class ModelStore {
  private mem: { seedGen: string; version: number; model: Model } | null = null;
  /** Whether the write transaction under way changed the in-memory model. */
  private changed = false;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly dir: string,
  ) {}

  /**
   * Inside a transaction: the settled model, brought up to date with what other processes wrote.
   * Shared, not a copy: the caller must not change it (`change` does).
   */
  current(): Model {
    const { seedGen, version } = this.versions();
    const mem = this.mem;
    if (mem?.seedGen === seedGen && mem.version <= version) {
      if (mem.version < version) {
        applyRows(mem.model, this.rows(mem.version));
        mem.version = version;
      }
      return mem.model;
    }
    const json = this.meta('seed');
    if (json === undefined) throw new Error(`the demo state in ${this.dir} has no model (remove the directory to start afresh)`);
    const read = modelFromJson(JSON.parse(json));
    if (!read.ok) throw new Error(`the demo state in ${this.dir} is corrupt: ${read.error.message}`);
    applyRows(read.value, this.rows(-1));
    this.mem = { seedGen, version, model: read.value };
    return read.value;
  }

  /**
   * Inside a write transaction opened by `write`: changes the settled model with `fn` and writes
   * the new state of the elements it touched, under a new model version.
   */
  change(touched: Touched, fn: (model: Model) => void): void {
    const model = this.current();
    const mem = this.mem;
    if (!mem) throw new Error('demo store: no model after reading it');
    this.changed = true;
    fn(model);
    const version = mem.version + 1;
    for (const vm of touched.vms ?? []) {
      this.statement('INSERT OR REPLACE INTO vm_state (vm, state, host, version) VALUES (?, ?, ?, ?)').run(vm, model.vmState(vm), model.mapping.host(vm) ?? null, version);
    }
    for (const node of touched.nodes ?? []) {
      const state = model.mapping.nodeState(node);
      if (state !== undefined) this.statement('INSERT OR REPLACE INTO node_state (node, state, version) VALUES (?, ?, ?)').run(node, state, version);
    }
    for (const [rc, vm] of touched.consumptions ?? []) {
      const view = model.resource(rc);
      if (view) this.statement('INSERT OR REPLACE INTO consumption (rc, vm, amount, version) VALUES (?, ?, ?, ?)').run(rc, vm, view.consumption(vm), version);
    }
    this.setMeta('modelVersion', String(version));
    mem.version = version;
  }

  /** Runs `fn` in an IMMEDIATE transaction; when it rolls back after a change, the in-memory model is dropped. */
  write<T>(fn: () => T): T {
    this.changed = false;
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      if (this.changed) this.mem = null;
      throw e;
    } finally {
      this.changed = false;
    }
  }

  /** Inside a write transaction: the state is the seed (`meta.seed`) again. */
  reset(): void {
    for (const table of ['vm_state', 'node_state', 'consumption']) this.db.prepare(`DELETE FROM ${table}`).run();
    const { seedGen, version } = this.versions();
    this.setMeta('seedGen', String(Number(seedGen) + 1));
    this.setMeta('modelVersion', String(version + 1));
    this.mem = null;
  }

  private versions(): { seedGen: string; version: number } {
    const rows = this.statement("SELECT key, value FROM meta WHERE key IN ('seedGen', 'modelVersion')").all() as { key: string; value: string }[];
    let seedGen = '0';
    let version = 0;
    for (const r of rows) {
      if (r.key === 'seedGen') seedGen = r.value;
      else version = Number(r.value);
    }
    return { seedGen, version };
  }

  private rows(since: number): { vms: VmRow[]; nodes: NodeRow[]; consumptions: ConsumptionRow[] } {
    return {
      vms: this.statement('SELECT vm, state, host FROM vm_state WHERE version > ? ORDER BY version').all(since) as VmRow[],
      nodes: this.statement('SELECT node, state FROM node_state WHERE version > ? ORDER BY version').all(since) as NodeRow[],
      consumptions: this.statement('SELECT rc, vm, amount FROM consumption WHERE version > ? ORDER BY version').all(since) as ConsumptionRow[],
    };
  }

  private meta(key: string): string | undefined {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  private setMeta(key: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/**
 * Brings `model` to the final state the rows give. The rows hold final states, not the history
 * that led there, so they are applied in an order that never breaks the mapping's invariants:
 * nodes powered on first (every host a VM ends on is then online), then the VMs, then the nodes
 * powered off (nothing ends on them).
 */
function applyRows(model: Model, rows: { vms: readonly VmRow[]; nodes: readonly NodeRow[]; consumptions: readonly ConsumptionRow[] }): void {
  const m = model.mapping;
  for (const r of rows.nodes) if (r.state === 'online') m.addOnlineNode(r.node);
  for (const r of rows.vms) {
    switch (r.state) {
      case 'running':
      case 'sleeping':
        if (r.host === null) throw new Error(`demo store: ${r.state} VM ${r.vm} has no host`);
        if (r.state === 'running') m.addRunningVM(r.vm, r.host);
        else m.addSleepingVM(r.vm, r.host);
        break;
      case 'ready':
        m.addReadyVM(r.vm);
        break;
      case 'killed':
        m.remove(r.vm);
        model.killedVMs.add(r.vm);
        break;
      default:
        m.remove(r.vm);
    }
  }
  for (const r of rows.nodes) if (r.state !== 'online') m.addOfflineNode(r.node);
  for (const r of rows.consumptions) model.resource(r.rc)?.setConsumption(r.vm, r.amount);
}
