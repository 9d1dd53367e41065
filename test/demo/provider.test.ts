import { describe, expect, it } from 'vitest';

import type { EffectProgress, EffectRequest, NamedAction } from '../../src/cluster/ports.js';
import { readActionsLog } from '../../main/node/demo/engine.js';
import { defaultFleet } from '../../main/node/demo/fleet.js';
import { demoEffector, demoProvider, rehearsalCopy } from '../../main/node/demo/provider.js';
import { demoSandbox, hostOf, sleep, stateOf } from './helpers.js';

const sandbox = demoSandbox();

function request(requestId: string, action: NamedAction, options: { timeoutMs?: number; signal?: AbortSignal } = {}): EffectRequest & { progress: EffectProgress[] } {
  const progress: EffectProgress[] = [];
  return {
    requestId,
    action,
    timeoutMs: options.timeoutMs ?? 10_000,
    signal: options.signal ?? new AbortController().signal,
    onProgress: (p) => progress.push(p),
    progress,
  };
}

const MOVE_WEB3: NamedAction = { kind: 'migrateVM', vm: 'web3', from: 'r2-h3', to: 'r2-h2' };

describe('demoProvider', () => {
  it('reads 12 hosts with their racks, the model (a copy), and the jobs in flight by name', async () => {
    const engine = sandbox.open();
    const provider = demoProvider(engine, 'demo-test');
    engine.start('p1', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' });
    engine.start('p2', { kind: 'shutdownVM', vm: 'dns1', node: 'r1-h1' });
    await sleep(20);
    const snap = await provider.read();
    expect(snap.clusterId).toBe('demo-test');
    expect(snap.hosts).toHaveLength(12);
    expect(snap.hosts[0]).toEqual({ name: 'r1-h1', readAt: snap.readAt, reachable: true, rack: 'r1' });
    expect(snap.hosts.map((h) => h.rack)).toEqual(['r1', 'r1', 'r1', 'r1', 'r2', 'r2', 'r2', 'r2', 'r3', 'r3', 'r3', 'r3']);
    const migration = snap.jobs.get('db2');
    expect(migration).toMatchObject({ kind: 'migrate', to: 'r2-h2', requestId: 'p1' });
    expect(migration?.fraction).toBeGreaterThan(0);
    expect(migration?.fraction).toBeLessThan(1);
    expect(snap.jobs.get('dns1')).toMatchObject({ kind: 'shutdown', requestId: 'p2' });
    expect(snap.jobs.get('dns1')).not.toHaveProperty('to');
    // the caller owns the model it got
    snap.model.mapping.addReadyVM(snap.model.vmNames?.resolve('web1') ?? -1);
    expect(stateOf((await provider.read()).model, 'web1')).toBe('running');
  });

  it('reports a host that is down as unreachable, its VMs where they were', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'host-down', node: 'r2-h3' });
    const snap = await demoProvider(engine).read();
    const host = snap.hosts.find((h) => h.name === 'r2-h3');
    expect(host).toEqual({ name: 'r2-h3', readAt: snap.readAt, reachable: false, error: 'no answer within 5 s (connection timed out)', rack: 'r2' });
    expect(snap.hosts.filter((h) => !h.reachable)).toHaveLength(1);
    expect(hostOf(snap.model, 'web3')).toBe('r2-h3');
  });

  it('shows changes made behind its back in the next read', async () => {
    const engine = sandbox.open();
    const provider = demoProvider(engine);
    expect(hostOf((await provider.read()).model, 'web3')).toBe('r2-h3');
    engine.injectFault({ kind: 'move-vm', vm: 'web3', to: 'r3-h2' });
    engine.injectFault({ kind: 'stop-vm', vm: 'cache2' });
    const snap = await provider.read();
    expect(hostOf(snap.model, 'web3')).toBe('r3-h2');
    expect(stateOf(snap.model, 'cache2')).toBe('ready');
  });

  it('a scoped read refreshes only the hosts it asks for', async () => {
    let now = 1_000_000;
    const engine = sandbox.open(undefined, { speed: 1, clock: { now: () => now } });
    const provider = demoProvider(engine);
    await provider.read();
    now += 5000;
    const snap = await provider.read({ vms: ['web3'], nodes: ['r1-h1'] });
    const readAt = new Map(snap.hosts.map((h) => [h.name, h.readAt]));
    expect(readAt.get('r1-h1')).toBe(now);
    expect(readAt.get('r2-h3')).toBe(now);
    expect(readAt.get('r1-h2')).toBe(now - 5000);
  });
});

describe('demoEffector', () => {
  it('performs a migration with progress, then the read shows it done', async () => {
    const engine = sandbox.open(undefined, { speed: 20 }); // web3: 6.4 s / 20 = 320 ms
    const req = request('e1', MOVE_WEB3);
    const outcome = await demoEffector(engine).perform(req);
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(req.progress.length).toBeGreaterThanOrEqual(3);
    const fractions = req.progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const last = req.progress[req.progress.length - 1];
    expect(last?.bytesTotal).toBe(8 * 1024 ** 3);
    expect(last?.bytesMoved).toBeGreaterThan(0);
    expect(req.progress[0]?.secondsLeft).toBeLessThanOrEqual(0.32);
    expect(hostOf((await demoProvider(engine).read()).model, 'web3')).toBe('r2-h2');
  });

  it('a refusal is a failed outcome carrying the sentence', async () => {
    const engine = sandbox.open();
    const outcome = await demoEffector(engine).perform(request('e2', { kind: 'migrateVM', vm: 'db1', from: 'r1-h1', to: 'r3-h4' }));
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/^cannot migrate db1 from r1-h1 to r3-h4: r3-h4 has 96 GiB of mem free/);
  });

  it('a failing migration fails, the VM still on its source', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'fail-migration', vm: 'web3' });
    const outcome = await demoEffector(engine).perform(request('e3', MOVE_WEB3));
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatch(/migration of web3 from r2-h3 to r2-h2 failed at 50 %/);
    expect(hostOf((await demoProvider(engine).read()).model, 'web3')).toBe('r2-h3');
  });

  it('an action touching a host that is down hangs until the timeout', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'host-down', node: 'r2-h3' });
    const t0 = Date.now();
    const outcome = await demoEffector(engine).perform(request('e4', MOVE_WEB3, { timeoutMs: 300 }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(295);
    expect(outcome.status).toBe('timed-out');
    expect(outcome.status === 'timed-out' && outcome.error).toMatch(/r2-h3: no answer within 5 s/);
    expect(engine.snapshot().jobs).toEqual([]);
  });

  it('a client timeout leaves the migration running: it completes on the hypervisor', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'slow-migration', vm: 'web3', factor: 10 }); // 64 ms × 10 = 640 ms
    const outcome = await demoEffector(engine).perform(request('e5', MOVE_WEB3, { timeoutMs: 80 }));
    expect(outcome.status).toBe('timed-out');
    expect(outcome.status === 'timed-out' && outcome.error).toMatch(/may still complete/);
    expect(engine.snapshot().jobs.map((j) => j.requestId)).toEqual(['e5']);
    await sleep(700);
    expect(hostOf((await demoProvider(engine).read()).model, 'web3')).toBe('r2-h2');
    expect(engine.status('e5')).toMatchObject({ state: 'completed' });
  });

  it('an abort cancels the job on the hypervisor: model unchanged, logged', async () => {
    const engine = sandbox.open(); // db2: 96 GiB, 76.8 s / 100 = 768 ms
    const abort = new AbortController();
    const pending = demoEffector(engine).perform(request('e6', { kind: 'migrateVM', vm: 'db2', from: 'r1-h2', to: 'r2-h2' }, { signal: abort.signal }));
    await sleep(100);
    expect(engine.snapshot().jobs).toHaveLength(1);
    const t0 = Date.now();
    abort.abort();
    expect(await pending).toEqual({ status: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(400); // the abort wakes the poll at once
    const snap = engine.snapshot();
    expect(snap.jobs).toEqual([]);
    expect(hostOf(snap.model, 'db2')).toBe('r1-h2');
    await sleep(800);
    expect(hostOf(engine.snapshot().model, 'db2')).toBe('r1-h2');
    expect(readActionsLog(engine.dir).map((e) => ('result' in e ? e.result : e.event))).toEqual(['accepted', 'cancelled']);
  });

  it('logs one accepted line per perform', async () => {
    const engine = sandbox.open();
    const effector = demoEffector(engine);
    const outcomes = await Promise.all([
      effector.perform(request('run:s1:1', MOVE_WEB3)),
      effector.perform(request('run:s2:1', { kind: 'migrateVM', vm: 'worker11', from: 'r2-h3', to: 'r3-h2' })),
      effector.perform(request('run:s3:1', { kind: 'migrateVM', vm: 'vpn1', from: 'r2-h3', to: 'r3-h1' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const log = readActionsLog(engine.dir);
    const accepted = log.filter((e) => 'result' in e && e.result === 'accepted').map((e) => ('requestId' in e ? e.requestId : ''));
    expect(accepted.sort()).toEqual(['run:s1:1', 'run:s2:1', 'run:s3:1']);
    expect(log.filter((e) => 'event' in e && e.event === 'completed')).toHaveLength(3);
  });

  it('never rejects, even on a closed engine', async () => {
    const engine = sandbox.open();
    engine.close();
    const outcome = await demoEffector(engine).perform(request('e7', MOVE_WEB3));
    expect(outcome.status).toBe('failed');
  });
});

describe('rehearsalCopy', () => {
  it('copies the current state of an engine into another directory, independent of it', async () => {
    const engine = sandbox.open();
    engine.injectFault({ kind: 'move-vm', vm: 'web3', to: 'r1-h3' });
    const copy = rehearsalCopy(engine, sandbox.dir());
    try {
      expect(copy.speed).toBe(100);
      expect(copy.snapshot().model.equals(engine.snapshot().model)).toBe(true);
      copy.injectFault({ kind: 'host-down', node: 'r1-h1' });
      await demoEffector(copy).perform(request('c1', { kind: 'migrateVM', vm: 'web3', from: 'r1-h3', to: 'r2-h2' }));
      expect(hostOf(copy.snapshot().model, 'web3')).toBe('r2-h2');
      expect(hostOf(engine.snapshot().model, 'web3')).toBe('r1-h3');
      expect(engine.snapshot().hostsDown).toEqual([]);
    } finally {
      copy.close();
    }
  });

  it('copies an instance, and starts afresh in a directory used before', () => {
    const dir = sandbox.dir();
    const fleet = defaultFleet();
    const first = rehearsalCopy(fleet, dir, { speed: 10 });
    first.injectFault({ kind: 'stop-vm', vm: 'web1' });
    first.close();
    const again = rehearsalCopy(fleet, dir, { speed: 10 });
    try {
      expect(again.snapshot().model.equals(fleet.model)).toBe(true);
    } finally {
      again.close();
    }
  });
});
