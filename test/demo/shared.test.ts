import { join } from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { DemoEngine, readActionsLog } from '../../main/node/demo/engine.js';
import { defaultFleet } from '../../main/node/demo/fleet.js';
import { demoSandbox, fleetWithOfflineHost, hostOf, sleep, stateOf, waitEnded } from './helpers.js';

const sandbox = demoSandbox();


function consumption(engine: DemoEngine, rc: string, vm: string): number | undefined {
  const model = engine.snapshot().model;
  return model.resource(rc)?.consumption(model.vmNames?.resolve(vm) ?? -1);
}

/**
 * Every engine keeps the settled model in memory and writes only what changes: these tests have
 * each engine read the state first (so that it holds a model), then change it through the other.
 */
describe('two engines on one state directory', () => {
  it('see each other’s jobs, settlements and faults', async () => {
    const dir = sandbox.dir();
    // slow enough that the job is still running when b first looks, even on a loaded machine
    const a = sandbox.open(dir, { speed: 100 });
    const b = sandbox.open(dir, { speed: 100 });
    expect(hostOf(a.snapshot().model, 'web1')).toBe('r1-h1');
    expect(hostOf(b.snapshot().model, 'web1')).toBe('r1-h1');

    // started by a, settled by b's status, read by both
    const started = a.start('x', { kind: 'migrateVM', vm: 'web1', from: 'r1-h1', to: 'r3-h2' });
    expect(started.status).toBe('accepted');
    expect(b.snapshot().jobs.map((j) => j.requestId)).toEqual(['x']);
    await waitEnded(b, 'x');
    expect(b.status('x')).toMatchObject({ state: 'completed' });
    expect(hostOf(b.snapshot().model, 'web1')).toBe('r3-h2');
    expect(hostOf(a.snapshot().model, 'web1')).toBe('r3-h2');
    expect(a.status('x')).toMatchObject({ state: 'completed' });
    expect(readActionsLog(dir).filter((e) => 'event' in e && e.event === 'completed')).toHaveLength(1);

    // a's start is checked against the state b settled: web1 is no longer on r1-h1
    const stale = a.start('y', { kind: 'migrateVM', vm: 'web1', from: 'r1-h1', to: 'r2-h2' });
    expect(stale.status).toBe('refused');

    // faults injected by one engine are seen by the other
    a.injectFault({ kind: 'fail-migration', vm: 'api1' });
    b.start('f', { kind: 'migrateVM', vm: 'api1', from: 'r1-h1', to: 'r2-h2' });
    await waitEnded(a, 'f');
    expect(b.status('f')).toMatchObject({ state: 'failed' });
    expect(hostOf(b.snapshot().model, 'api1')).toBe('r1-h1');
    a.injectFault({ kind: 'host-down', node: 'r2-h3' });
    expect(b.snapshot().hostsDown).toEqual(['r2-h3']);
    expect(b.start('u', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' })).toMatchObject({ status: 'unreachable', node: 'r2-h3' });
    a.injectFault({ kind: 'host-up', node: 'r2-h3' });
    a.injectFault({ kind: 'move-vm', vm: 'web3', to: 'r1-h2' });
    a.injectFault({ kind: 'stop-vm', vm: 'worker1' });
    const seen = b.snapshot().model;
    expect(hostOf(seen, 'web3')).toBe('r1-h2');
    expect(stateOf(seen, 'worker1')).toBe('ready');

    // allocate and kill, done by b, seen by a
    b.start('g', { kind: 'allocate', vm: 'api2', node: 'r1-h2', rc: 'cpu', amount: 12 });
    await waitEnded(b, 'g');
    expect(consumption(a, 'cpu', 'api2')).toBe(12);
    expect(b.start('k', { kind: 'killVM', vm: 'ci7', node: null })).toEqual({ status: 'accepted', job: null });
    expect(stateOf(a.snapshot().model, 'ci7')).toBe('killed');

    // a third engine, built from the stored seed and rows, sees the same state as the two others
    const c = sandbox.open(dir, { speed: 1000 });
    const fresh = c.snapshot().model;
    expect(fresh.equals(a.snapshot().model)).toBe(true);
    expect(fresh.equals(b.snapshot().model)).toBe(true);

    // a reset by one engine is seen by the others
    c.reset();
    expect(hostOf(a.snapshot().model, 'web1')).toBe('r1-h1');
    expect(b.snapshot().model.equals(defaultFleet().model)).toBe(true);
    expect(b.faults()).toEqual([]);
  });

  it('catch up on several changes at once, whatever order they were made in', async () => {
    const dir = sandbox.dir();
    const a = sandbox.open(dir, { speed: 1000, seed: fleetWithOfflineHost() });
    const b = sandbox.open(dir, { speed: 1000 });
    const go = async (id: string, action: Parameters<DemoEngine['start']>[1]): Promise<void> => {
      expect(a.start(id, action), id).toMatchObject({ status: 'accepted' });
      await waitEnded(a, id);
      expect(a.status(id), id).toMatchObject({ state: 'completed' });
    };
    await go('on', { kind: 'bootNode', node: 'r3-h2' });
    a.injectFault({ kind: 'move-vm', vm: 'web5', to: 'r3-h2' });
    expect(hostOf(b.snapshot().model, 'web5')).toBe('r3-h2');
    // b reads none of what follows until the end: web5 leaves r3-h2, r3-h2 powers off, web5 moves again
    a.injectFault({ kind: 'move-vm', vm: 'web5', to: 'r3-h1' });
    await go('off', { kind: 'shutdownNode', node: 'r3-h2' });
    a.injectFault({ kind: 'move-vm', vm: 'web5', to: 'r1-h2' });
    const model = b.snapshot().model;
    expect(hostOf(model, 'web5')).toBe('r1-h2');
    expect(model.mapping.isOffline(model.nodeNames?.resolve('r3-h2') ?? -1)).toBe(true);
    expect(model.equals(a.snapshot().model)).toBe(true);
  });

  it('a write that fails after settling a job leaves the model as the database has it', async () => {
    const dir = sandbox.dir();
    const a = sandbox.open(dir, { speed: 1000 });
    // b's clock is a minute behind: it does not see a's job as ended
    const b = sandbox.open(dir, { speed: 1000, clock: { now: () => Date.now() - 60_000 } });
    expect(hostOf(a.snapshot().model, 'web3')).toBe('r2-h3');
    const started = a.start('m', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' });
    if (started.status !== 'accepted' || !started.job) throw new Error('refused');
    await sleep(Math.max(0, started.job.endsAt - Date.now()) + 5);
    // the migration is settled in the same transaction as the fault, which fails: both roll back
    expect(() => a.injectFault({ kind: 'stop-vm', vm: 'nope' })).toThrow(/no VM named 'nope'/);
    // another change committed meanwhile, by the other engine
    b.injectFault({ kind: 'move-vm', vm: 'worker1', to: 'r1-h2' });
    // settled again, once: completed, not failed for a VM already moved
    expect(a.status('m')).toMatchObject({ state: 'completed' });
    expect(hostOf(a.snapshot().model, 'web3')).toBe('r2-h2');
    expect(hostOf(a.snapshot().model, 'worker1')).toBe('r1-h2');
    expect(a.snapshot().model.equals(b.snapshot().model)).toBe(true);
    expect(readActionsLog(dir).flatMap((e) => ('requestId' in e && e.requestId === 'm' && 'event' in e ? [e.event] : []))).toEqual(['completed']);
  });

  it('refuses a state directory of another schema version, pointing at the remedy', () => {
    const dir = sandbox.dir();
    const db = new Database(join(dir, 'state.sqlite'));
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    db.exec("CREATE TABLE model (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, settledAt INTEGER NOT NULL)");
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', '1');
    db.close();
    expect(() => DemoEngine.open(dir)).toThrow(/has schema version 1; this Ferry reads version \d+ \(remove the directory to start afresh\)/);
  });
});
