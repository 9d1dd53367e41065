import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { DemoEngine, demoSpeed, migrationMs, readActionsLog } from '../../main/node/demo/engine.js';
import { defaultFleet } from '../../main/node/demo/fleet.js';
import { demoSandbox, fleetWithOfflineHost, hostOf, sleep, stateOf, waitEnded } from './helpers.js';

const sandbox = demoSandbox();


describe('DemoEngine state', () => {
  it('is seeded with the default fleet in dir/state.sqlite, once', () => {
    const dir = sandbox.dir();
    const a = sandbox.open(dir);
    expect(existsSync(join(dir, 'state.sqlite'))).toBe(true);
    const first = a.snapshot();
    expect(first.model.equals(defaultFleet().model)).toBe(true);
    expect(first.jobs).toEqual([]);
    expect(first.hostsDown).toEqual([]);
    a.injectFault({ kind: 'move-vm', vm: 'web3', to: 'r1-h2' });
    a.close();
    // a second open keeps the changed state: no reseeding
    const b = sandbox.open(dir);
    expect(hostOf(b.snapshot().model, 'web3')).toBe('r1-h2');
    b.reset();
    expect(hostOf(b.snapshot().model, 'web3')).toBe('r2-h3');
  });

  it('uses the given seed', () => {
    const engine = sandbox.open(undefined, { speed: 100, seed: fleetWithOfflineHost() });
    const model = engine.snapshot().model;
    expect(model.mapping.isOffline(model.nodeNames?.resolve('r3-h2') ?? -1)).toBe(true);
  });
});

describe('DemoEngine jobs', () => {
  it('completes a migration after its duration (memory over the link, divided by the speed)', async () => {
    const engine = sandbox.open();
    const model = engine.snapshot().model;
    // web3: 8 GiB over 10 Gbit/s = 6.4 s, at speed 100: 64 ms
    expect(migrationMs(model, 'web3', 'r2-h3')).toBe(6400);
    expect(migrationMs(model, 'api1', 'r1-h1')).toBe(12_800);
    const started = engine.start('r1:s1:1', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' });
    if (started.status !== 'accepted' || !started.job) throw new Error(JSON.stringify(started));
    expect(started.job.durationMs).toBe(64);
    expect(started.job.endsAt - started.job.startedAt).toBe(64);
    expect(started.job.bytesTotal).toBe(8 * 1024 ** 3);
    // in flight: the settled model still has it on its source
    const during = engine.snapshot();
    expect(hostOf(during.model, 'web3')).toBe('r2-h3');
    expect(during.jobs.map((j) => [j.kind, j.subject, j.from, j.to, j.requestId])).toEqual([['migrate', 'web3', 'r2-h3', 'r2-h2', 'r1:s1:1']]);
    await sleep(started.job.endsAt - Date.now() + 5);
    const after = engine.snapshot();
    expect(hostOf(after.model, 'web3')).toBe('r2-h2');
    expect(after.jobs).toEqual([]);
    expect(engine.status('r1:s1:1')).toMatchObject({ state: 'completed', at: started.job.endsAt });
    const log = readActionsLog(engine.dir);
    expect(log).toEqual([
      expect.objectContaining({ requestId: 'r1:s1:1', result: 'accepted', action: { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' } }),
      expect.objectContaining({ requestId: 'r1:s1:1', event: 'completed', at: started.job.endsAt }),
    ]);
  });

  it('runs VM and node life cycles: shutdown, boot, power off an empty host, power it on', async () => {
    const engine = sandbox.open(undefined, { speed: 1000, seed: fleetWithOfflineHost() });
    const go = async (id: string, action: Parameters<DemoEngine['start']>[1]): Promise<void> => {
      const r = engine.start(id, action);
      expect(r, id).toMatchObject({ status: 'accepted' });
      await waitEnded(engine, id);
      expect(engine.status(id), id).toMatchObject({ state: 'completed' });
    };
    await go('a', { kind: 'shutdownVM', vm: 'dns1', node: 'r1-h1' });
    expect(stateOf(engine.snapshot().model, 'dns1')).toBe('ready');
    await go('b', { kind: 'bootVM', vm: 'ci6', node: 'r2-h2' });
    expect(hostOf(engine.snapshot().model, 'ci6')).toBe('r2-h2');
    await go('c', { kind: 'bootNode', node: 'r3-h2' });
    await go('d', { kind: 'migrateVM', vm: 'web5', from: 'r3-h1', to: 'r3-h2' });
    await go('e', { kind: 'suspendVM', vm: 'mon1', from: 'r1-h1', to: 'r1-h1' });
    expect(stateOf(engine.snapshot().model, 'mon1')).toBe('sleeping');
    await go('f', { kind: 'resumeVM', vm: 'mon1', from: 'r1-h1', to: 'r1-h1' });
    await go('g', { kind: 'allocate', vm: 'api1', node: 'r1-h1', rc: 'cpu', amount: 12 });
    const model = engine.snapshot().model;
    expect(model.resource('cpu')?.consumption(model.vmNames?.resolve('api1') ?? -1)).toBe(12);
    await go('h', { kind: 'migrateVM', vm: 'web5', from: 'r3-h2', to: 'r3-h1' });
    for (const vm of ['cache4', 'dns2', 'wiki1']) expect(hostOf(engine.snapshot().model, vm)).toBe('r3-h1');
    await go('i', { kind: 'shutdownNode', node: 'r3-h2' });
    // kill is instant (BtrPlace JSON has no killed state: the VM reads back as absent)
    expect(engine.start('j', { kind: 'killVM', vm: 'ci7', node: null })).toEqual({ status: 'accepted', job: null });
    expect(engine.status('j')).toMatchObject({ state: 'completed' });
    expect(engine.snapshot().model.mapping.hasVM(engine.snapshot().model.vmNames?.resolve('ci7') ?? -1)).toBe(false);
    expect(readActionsLog(engine.dir).filter((e) => 'requestId' in e && e.requestId === 'j').map((e) => ('result' in e ? e.result : e.event))).toEqual(['accepted', 'completed']);
    const end = engine.snapshot().model;
    expect(end.mapping.isOffline(end.nodeNames?.resolve('r3-h2') ?? -1)).toBe(true);
  });

  it('treats a repeated request id as the same job', () => {
    const engine = sandbox.open();
    const action = { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' } as const;
    const a = engine.start('same', action);
    const b = engine.start('same', action);
    if (a.status !== 'accepted' || b.status !== 'accepted') throw new Error('refused');
    expect(b.job?.id).toBe(a.job?.id);
    expect(engine.snapshot().jobs).toHaveLength(1);
  });

  it('cancels a job: removed, model unchanged, logged', () => {
    const engine = sandbox.open();
    engine.start('c1', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' });
    expect(engine.cancel('c1')).toMatchObject({ state: 'cancelled' });
    const snap = engine.snapshot();
    expect(snap.jobs).toEqual([]);
    expect(hostOf(snap.model, 'db2')).toBe('r1-h2');
    expect(readActionsLog(engine.dir).filter((e) => 'event' in e && e.event === 'cancelled')).toHaveLength(1);
    expect(engine.status('nobody')).toEqual({ state: 'unknown' });
  });

  it('settles once when several engines share the directory', async () => {
    const dir = sandbox.dir();
    const a = sandbox.open(dir);
    const b = sandbox.open(dir);
    const started = a.start('x', { kind: 'migrateVM', vm: 'web1', from: 'r1-h1', to: 'r3-h2' });
    expect(b.snapshot().jobs.map((j) => j.requestId)).toEqual(['x']);
    if (started.status !== 'accepted' || !started.job) throw new Error('refused');
    await sleep(started.job.endsAt - Date.now() + 5);
    expect(hostOf(b.snapshot().model, 'web1')).toBe('r3-h2');
    expect(hostOf(a.snapshot().model, 'web1')).toBe('r3-h2');
    expect(readActionsLog(dir).filter((e) => 'event' in e && e.event === 'completed')).toHaveLength(1);
  });
});

describe('DemoEngine refusals (operator sentences)', () => {
  it('refuses a busy VM', () => {
    const engine = sandbox.open();
    expect(engine.start('1', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' }).status).toBe('accepted');
    const again = engine.start('2', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r3-h2' });
    expect(again.status).toBe('refused');
    if (again.status === 'refused') expect(again.error).toMatch(/^cannot migrate db2 from r1-h2 to r3-h2: db2 is busy: migrate db2 from r1-h2 to r2-h2 is under way/);
  });

  it('refuses a full destination, counting what the jobs in flight bring', () => {
    const engine = sandbox.open();
    // r1-h4: 32 cores × 3 = 96 vCPUs, 80 used
    expect(engine.start('1', { kind: 'migrateVM', vm: 'api1', from: 'r1-h1', to: 'r1-h4' }).status).toBe('accepted');
    expect(engine.start('2', { kind: 'migrateVM', vm: 'api3', from: 'r1-h3', to: 'r1-h4' }).status).toBe('accepted');
    const third = engine.start('3', { kind: 'migrateVM', vm: 'worker5', from: 'r1-h3', to: 'r1-h4' });
    expect(third).toEqual({ status: 'refused', error: 'cannot migrate worker5 from r1-h3 to r1-h4: r1-h4 has 0 of cpu free (capacity 96, 16 of it booked by operations in flight), 8 needed' });
    // memory is never overcommitted: db1 (128 GiB) does not fit in r1-h4's 96 GiB free
    const db = engine.start('4', { kind: 'migrateVM', vm: 'db1', from: 'r1-h1', to: 'r3-h4' });
    expect(db.status === 'refused' && db.error).toMatch(/r3-h4 has 96 GiB of mem free \(capacity 256 GiB\), 128 GiB needed/);
  });

  it('refuses an offline destination, a wrong source, unknown names, and powering off a busy host', () => {
    const engine = sandbox.open(undefined, { speed: 100, seed: fleetWithOfflineHost() });
    let n = 0;
    const refused = (action: Parameters<DemoEngine['start']>[1]): string => {
      const r = engine.start(`r${++n}`, action);
      if (r.status !== 'refused') throw new Error(`accepted: ${JSON.stringify(action)}`);
      return r.error;
    };
    expect(refused({ kind: 'migrateVM', vm: 'web1', from: 'r1-h1', to: 'r3-h2' })).toMatch(/r3-h2 is offline/);
    expect(refused({ kind: 'migrateVM', vm: 'web1', from: 'r1-h2', to: 'r2-h2' })).toMatch(/^cannot migrate web1 from r1-h2 to r2-h2: web1 .*r1-h1/);
    expect(refused({ kind: 'migrateVM', vm: 'web9', from: 'r1-h1', to: 'r2-h2' })).toMatch(/no VM named 'web9'/);
    expect(refused({ kind: 'bootVM', vm: 'ci6', node: 'r9-h9' })).toMatch(/no host named 'r9-h9'/);
    expect(refused({ kind: 'shutdownNode', node: 'r2-h3' })).toMatch(/still on it/);
    expect(refused({ kind: 'bootVM', vm: 'web1', node: 'r2-h2' })).toMatch(/web1 is not ready/);
    const log = readActionsLog(engine.dir);
    expect(log).toHaveLength(6);
    expect(log.every((e) => 'result' in e && e.result === 'refused' && typeof e.error === 'string')).toBe(true);
  });
});

describe('DemoEngine faults', () => {
  it('fail-migration: the next migration fails at half way, the VM stays on its source', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'fail-migration', vm: 'api1' });
    const r = engine.start('f', { kind: 'migrateVM', vm: 'api1', from: 'r1-h1', to: 'r2-h2' });
    if (r.status !== 'accepted' || !r.job) throw new Error('refused');
    expect(r.job.fails).toBe(true);
    expect(r.job.endsAt - r.job.startedAt).toBe(Math.round(r.job.durationMs / 2));
    await waitEnded(engine, 'f');
    const status = engine.status('f');
    expect(status.state).toBe('failed');
    if (status.state === 'failed') expect(status.error).toMatch(/migration of api1 from r1-h1 to r2-h2 failed at 50 %/);
    expect(hostOf(engine.snapshot().model, 'api1')).toBe('r1-h1');
    // one-shot: the retry succeeds
    engine.start('f2', { kind: 'migrateVM', vm: 'api1', from: 'r1-h1', to: 'r2-h2' });
    await waitEnded(engine, 'f2');
    expect(hostOf(engine.snapshot().model, 'api1')).toBe('r2-h2');
  });

  it('host-down: reported, persisted, actions touching it unreachable until host-up', () => {
    const dir = sandbox.dir();
    sandbox.open(dir).injectFault({ kind: 'host-down', node: 'r2-h3' });
    const engine = sandbox.open(dir);
    expect(engine.snapshot().hostsDown).toEqual(['r2-h3']);
    expect(engine.faults()).toEqual([{ kind: 'host-down', node: 'r2-h3' }]);
    expect(engine.start('u', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' })).toMatchObject({ status: 'unreachable', node: 'r2-h3' });
    engine.injectFault({ kind: 'host-up', node: 'r2-h3' });
    expect(engine.start('v', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' }).status).toBe('accepted');
  });

  it('stop-vm and move-vm change the state at once, failing what was under way', () => {
    const engine = sandbox.open();
    engine.start('m', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' });
    engine.injectFault({ kind: 'move-vm', vm: 'db2', to: 'r3-h1' });
    engine.injectFault({ kind: 'stop-vm', vm: 'worker1' });
    const snap = engine.snapshot();
    expect(hostOf(snap.model, 'db2')).toBe('r3-h1');
    expect(stateOf(snap.model, 'worker1')).toBe('ready');
    expect(snap.jobs).toEqual([]);
    expect(engine.status('m')).toMatchObject({ state: 'failed', error: 'migrate db2 from r1-h2 to r2-h2 failed: db2 was moved to r3-h1 outside Ferry' });
    expect(() => engine.injectFault({ kind: 'stop-vm', vm: 'nope' })).toThrow(/no VM named 'nope'/);
    expect(readActionsLog(engine.dir).filter((e) => 'event' in e && e.event === 'fault')).toHaveLength(2);
  });

  it('slow-migration multiplies the VM migrations until cleared', () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'slow-migration', vm: 'web3', factor: 3 });
    const r = engine.start('s', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' });
    expect(r.status === 'accepted' && r.job?.durationMs).toBe(192);
    engine.injectFault({ kind: 'slow-migration', vm: 'web3', factor: 1 });
    expect(engine.faults()).toEqual([]);
  });
});

describe('speed and the task log', () => {
  it('FERRY_DEMO_SPEED must be a finite number > 0', () => {
    expect(demoSpeed(undefined, undefined)).toBe(1);
    expect(demoSpeed(undefined, '')).toBe(1);
    expect(demoSpeed(undefined, '25')).toBe(25);
    expect(demoSpeed(4, 'fast')).toBe(4);
    for (const bad of ['fast', '0', '-2', 'Infinity', 'NaN']) expect(() => demoSpeed(undefined, bad)).toThrow(/FERRY_DEMO_SPEED must be a number > 0.*got/);
    expect(() => demoSpeed(0)).toThrow(/speed must be a finite number > 0/);
    const saved = process.env['FERRY_DEMO_SPEED'];
    process.env['FERRY_DEMO_SPEED'] = 'warp';
    try {
      const dir = sandbox.dir();
      expect(() => DemoEngine.open(dir)).toThrow(/FERRY_DEMO_SPEED.*'warp'/);
      expect(existsSync(join(dir, 'state.sqlite'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['FERRY_DEMO_SPEED'];
      else process.env['FERRY_DEMO_SPEED'] = saved;
    }
  });

  it('reads the task log, skipping a torn last line', () => {
    const engine = sandbox.open();
    engine.start('t', { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' });
    appendFileSync(join(engine.dir, 'actions.jsonl'), '{"at":17,"requestId":"t2","act');
    const log = readActionsLog(engine.dir);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ requestId: 't', result: 'accepted' });
    expect(readActionsLog(join(engine.dir, 'none'))).toEqual([]);
  });
});
