import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Step } from '../../src/executor/types.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { journalPath } from '../../main/node/data-dir.js';
import { Journal } from '../../main/node/journal/journal.js';
import { type Finished, Output, TestBed, missingPrerequisite, plannedMigrations, runIdOf, sleep } from './testbed.js';

/**
 * Ferry on real hypervisors: the test bed's hosts (sshd, libvirtd, QEMU/TCG guests in network
 * namespaces) driven through the `ferry` command line, every result checked on the hosts
 * themselves with `virsh`, never through Ferry. One test bed for the file; the tests run in order
 * and each starts from where the previous one left the guests.
 */
const missing = missingPrerequisite();
if (missing !== null) console.warn(`test/realhost/cluster.test.ts skipped: ${missing}`);

const NET = 62;
const HOSTS = ['hv1', 'hv2', 'hv3'];
const GUESTS = ['vm11', 'vm12', 'vm21', 'vm22', 'vm31', 'vm32'];
/**
 * Every run: a short planning budget, and a step that has not ended after 120 s is given up (the
 * cluster is read again), also for steps the plan times at a second or two.
 */
const RUN_OPTIONS = ['--time-limit', '3', '--step-timeout', '120'];

let bed: TestBed;
/** The test bed's cluster file with short timeouts, so faults are seen in seconds. */
let fast: string;
let timings: Record<string, number> = {};

/** A copy of the test bed's cluster file with these cluster-wide settings. */
function clusterVariant(name: string, settings: Record<string, number>): string {
  const text = readFileSync(bed.clusterFile, 'utf8');
  const head = Object.entries(settings).map(([k, v]) => `${k}: ${v}`).join('\n');
  const file = join(bed.home, 'clusters', `${name}.yaml`);
  writeFileSync(file, text.replace(/^hosts:/m, `${head}\nhosts:`));
  return file;
}

function script(name: string, text: string): string {
  const file = join(bed.home, `${name}.btrp`);
  writeFileSync(file, text);
  return file;
}

/** Every guest runs on exactly one host (none lost, none twice); returns where each runs. */
async function expectEveryGuestOnce(guests: readonly string[] = GUESTS): Promise<Map<string, string>> {
  const where = await bed.placement(HOSTS);
  const twice = [...where].filter(([, hosts]) => hosts.length > 1);
  expect(twice, 'guests running on two hosts').toEqual([]);
  expect([...where.keys()].sort(), 'running guests').toEqual([...guests].sort());
  return new Map([...where].map(([vm, hosts]) => [vm, hosts[0] as string]));
}

function expectNoStackTrace(r: { out: string; err: string }): void {
  expect(r.out + r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** The run's closing line, the operator's clear state: `run r… failed: 1 succeeded, … of 2`. */
function expectFinalState(r: Finished | Output): RegExpExecArray {
  const m = /^run r\S+ (succeeded|failed|cancelled|aborted): .* of \d+$/m.exec(r.out);
  expect(m, `no final state in:\n${r.out}\n${r.err}`).not.toBeNull();
  return m as RegExpExecArray;
}

/**
 * A run the harness had to stop (it outlived its time) still holds the cluster in the journal:
 * abort it, as an operator would, so the next test can plan.
 */
async function abortIfUnfinished(output: string, knownRunId?: string): Promise<void> {
  const runId = knownRunId ?? runIdOf(output);
  if (runId === undefined || /^run r\S+ (succeeded|failed|cancelled|aborted): /m.test(output)) return;
  await bed.ferry(['run', '--abort', runId], undefined, 120_000);
}

/** Incoming migrations of every guest, counted from the hosts' own QEMU logs. */
function migrationCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const vm of GUESTS) counts.set(vm, [...bed.incomingMigrations(vm).values()].reduce((a, b) => a + b, 0));
  return counts;
}

/** Waits until no migration job runs on any host (a migration can finish after its client gave up). */
async function settle(timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let busy = false;
    for (const h of HOSTS) {
      for (const vm of await bed.running(h).catch(() => [] as string[])) {
        const info = await bed.virsh(h, 'domjobinfo', vm).catch(() => '');
        if (/Job type:\s+(Unbounded|Bounded)/.test(info)) busy = true;
      }
    }
    if (!busy || Date.now() > until) return;
    await sleep(1000);
  }
}

/** The host running most guests and its guests. */
async function busiestHost(): Promise<{ host: string; guests: string[] }> {
  let best = { host: 'hv1', guests: [] as string[] };
  for (const h of HOSTS.filter((x) => !bed.isOff(x))) {
    const guests = (await bed.running(h)).filter((g) => GUESTS.includes(g));
    if (guests.length > best.guests.length) best = { host: h, guests };
  }
  return best;
}

/**
 * Starts `ferry run --yes` moving `guests` off `host`, waits until a migration is under way, does
 * `fault` to the hosts, lets the run end (bounded), repairs with `repair`, and returns the run.
 */
async function runWithFault(name: string, host: string, guests: string[], fault: (step: { vm: string; from: string; to: string }) => Promise<void>, repair: () => Promise<void>): Promise<Output> {
  const file = script(name, `>>ban({${guests.join(', ')}}, {@${host}});\n`);
  const child = bed.spawnFerry(['run', '--config', fast, '--script', file, '--yes', ...RUN_OPTIONS]);
  const run = new Output(child);
  try {
    const seen = await run.waitFor(/migrate \S+ \S+ → \S+: running/, 90_000);
    const step = plannedMigrations(seen)[0];
    expect(step, seen).toBeDefined();
    await fault(step as { vm: string; from: string; to: string });
    const ended = await Promise.race([run.exited, sleep(150_000).then(() => null)]);
    if (ended === null) child.kill('SIGKILL');
    expect(ended, `ferry run did not end:\n${run.out}\n${run.err}`).not.toBeNull();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await repair();
    await abortIfUnfinished(run.out);
  }
  return run;
}

describe.skipIf(missing !== null)('Ferry on real KVM hosts (the test bed)', () => {
  beforeAll(() => {
    bed = new TestBed(NET);
    bed.up(3, 2);
    timings = bed.timings;
    fast = clusterVariant('fast', { connectTimeoutSeconds: 5, commandTimeoutSeconds: 30, migrationTimeoutSeconds: 60 });
  }, 150_000);

  afterAll(() => {
    if (!bed) return;
    bed.down();
    console.info(`real-host timings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  }, 60_000);

  it('inventory through the real SSH path matches virsh on every host: names, states, vCPUs, memory', async () => {
    const t0 = performance.now();
    const json = await bed.ferry(['inventory', '--config', bed.clusterFile, '--format', 'json']);
    timings.inventory = (performance.now() - t0) / 1000;
    expectNoStackTrace(json);
    expect(json.code, json.err).toBe(0);
    const read = parseInstanceText(json.out);
    if (!read.ok) throw new Error(`ferry inventory --format json is not an instance: ${JSON.stringify(read.error)}`);
    const model = read.value.model;
    for (const host of HOSTS) {
      const node = model.nodeNames?.resolve(host);
      expect(node, `node ${host}`).toBeDefined();
      const reported = [...model.mapping.runningVMs(node as number)].map((vm) => model.vmName(vm)).sort();
      expect(reported, `running on ${host}`).toEqual((await bed.running(host)).sort());
      for (const vm of await bed.defined(host)) {
        const info = await bed.virsh(host, 'dominfo', vm);
        const id = model.vmNames?.resolve(vm) as number;
        expect(id, `vm ${vm}`).toBeDefined();
        expect(model.resource('cpu')?.consumption(id), `${vm} vCPUs`).toBe(Number(/^CPU\(s\):\s+(\d+)/m.exec(info)?.[1]));
        expect(model.resource('mem')?.consumption(id), `${vm} MiB`).toBe(Number(/^Max memory:\s+(\d+) KiB/m.exec(info)?.[1]) / 1024);
        expect(model.mapping.isRunning(id), `${vm} running`).toBe(/^State:\s+running/m.test(info));
      }
    }
    const text = await bed.ferry(['inventory', '--config', bed.clusterFile]);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/: 3 hosts, 6 VMs$/m);
    for (const host of HOSTS) expect(text.out).toMatch(new RegExp(`^${host} .* online .* ${(await bed.running(host)).length} VMs$`, 'm'));
  }, 240_000);

  it('drains a host with live migrations step by step: every guest runs once, where the plan says, the host is empty', async () => {
    const before = migrationCounts();
    const t0 = performance.now();
    let output = '';
    try {
      const r = await bed.ferry(['run', '--config', fast, '--script', script('drain-hv3', 'offline(@hv3);\n'), '--yes', ...RUN_OPTIONS], undefined, 240_000);
      output = r.out;
      timings['drain of hv3'] = (performance.now() - t0) / 1000;
      expectNoStackTrace(r);
      const moves = plannedMigrations(r.out);
      expect(moves.map((m) => m.vm).sort(), r.out).toEqual(['vm31', 'vm32']);
      expect(r.out).toMatch(/power off hv3/);
      const where = await expectEveryGuestOnce();
      for (const m of moves) {
        expect(where.get(m.vm), `${m.vm}, after:\n${r.out}\n${r.err}`).toBe(m.to);
        expect(migrationCounts().get(m.vm), `${m.vm} migrated once`).toBe((before.get(m.vm) ?? 0) + 1);
      }
      // the plan's last step powered the host off through the cluster file's power command
      expect(bed.isOff('hv3'), 'hv3 powered off').toBe(true);
      expect(r.code, r.out + r.err).toBe(0);
    } finally {
      await abortIfUnfinished(output);
      await bed.sh('power', 'hv3', 'on');
    }
    expect(await bed.defined('hv3'), 'hv3 after the drain').toEqual([]);
  }, 420_000);

  it('a migration that never converges times out, is aborted, the guest keeps running on its source, the operator chooses', async () => {
    await bed.sh('dirty-vm', 'hv3', 'dirty1', '1');
    const slow = clusterVariant('slow', { connectTimeoutSeconds: 5, commandTimeoutSeconds: 30, migrationTimeoutSeconds: 10 });
    const child = bed.spawnFerry(['run', '--config', slow, '--script', script('move-dirty', '>>ban({dirty1}, {@hv3});\n'), ...RUN_OPTIONS]);
    const run = new Output(child);
    try {
      await run.waitFor(/awaiting approval: s1/, 90_000);
      child.stdin?.write('a s1\n');
      await run.waitFor(/migrate dirty1 hv3 → \S+: running/, 30_000);
      const t0 = performance.now();
      await run.waitFor(/failed: s1 \(choose: f ID retry\|skip\|replan\|stop\)/, 90_000);
      timings['migration timeout seen'] = (performance.now() - t0) / 1000;
      expect(run.out).toMatch(/migrate dirty1 hv3 → \S+: failed.*(not finished within|timed out|time-?out|abort)/i);
      // the guest is where it was, running, and nowhere else
      expect(await bed.running('hv3')).toContain('dirty1');
      for (const h of ['hv1', 'hv2']) expect(await bed.defined(h), h).not.toContain('dirty1');
      expect(await bed.virsh('hv3', 'domjobinfo', 'dirty1')).toMatch(/Job type:\s+None/);
      child.stdin?.end('f s1 stop\n');
      const end = await Promise.race([run.exited, sleep(60_000).then(() => null)]);
      expect(end?.code, run.out + run.err).toBe(1);
      expectFinalState(run);
      expectNoStackTrace(run);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await abortIfUnfinished(run.out);
      await bed.virsh('hv3', 'destroy', 'dirty1').catch(() => '');
      await bed.virsh('hv3', 'undefine', 'dirty1').catch(() => '');
    }
    await expectEveryGuestOnce();
  }, 240_000);

  /**
   * The run's steps as the journal ends them, and its last plan revision: a resumed run re-reads the
   * hosts and may plan again from what it finds (a step held by drift), so the plan it executed is
   * not necessarily the one printed before the kill.
   */
  function journaledRun(runId: string): { revision: number; steps: readonly Step[] } {
    const journal = Journal.open(journalPath(bed.home));
    try {
      const stored = journal.loadRun(runId);
      if (!stored) throw new Error(`run ${runId} is not in the journal ${journal.file}`);
      return { revision: stored.run.revision, steps: stored.run.steps };
    } finally {
      journal.close();
    }
  }

  it('Ferry killed in the middle of a live migration: resumed from the journal, the hosts say what finished, no step runs twice', async () => {
    const before = migrationCounts();
    const start = await expectEveryGuestOnce();
    const { host, guests } = await busiestHost();
    const banned = guests.slice(0, 2);
    const child = bed.spawnFerry(['run', '--config', fast, '--script', script('move-off', `>>ban({${banned.join(', ')}}, {@${host}});\n`), '--yes', ...RUN_OPTIONS]);
    const run = new Output(child);
    const seen = await run.waitFor(new RegExp(`migrate \\S+ ${host} → \\S+: running`), 90_000);
    await sleep(400);
    child.kill('SIGKILL');
    await run.exited;
    const runId = runIdOf(seen);
    expect(runId, seen).toBeDefined();
    expect(plannedMigrations(seen).length).toBeGreaterThan(0);

    const resumed = await bed.ferry(['run', '--resume', runId as string, '--yes'], undefined, 240_000);
    await abortIfUnfinished(resumed.out, runId);
    const said = `before the kill:\n${seen}\nresumed:\n${resumed.out}\n${resumed.err}`;
    expectNoStackTrace(resumed);
    expect(resumed.code, said).toBe(0);
    expect(resumed.out).toContain(`run ${runId} succeeded`);
    const final = journaledRun(runId as string);
    // a re-plan is said, with its revision, where the operator sees the run
    if (final.revision > 1) expect(resumed.out, said).toContain(`re-plan proposed (revision ${final.revision})`);
    const migrations = final.steps.filter((s): s is Step & { action: { kind: 'migrateVM'; vm: string; from: string; to: string } } => s.action.kind === 'migrateVM');
    const executed = migrations.filter((s) => s.state === 'succeeded');
    expect(executed.length, said).toBeGreaterThan(0);

    const where = await expectEveryGuestOnce();
    const after = migrationCounts();
    for (const vm of GUESTS) {
      const moves = executed.filter((s) => s.action.vm === vm).sort((x, y) => (x.endedAt ?? 0) - (y.endedAt ?? 0));
      // the hosts' own logs: every migration the run executed started QEMU on its destination, and
      // none started more often than its step was attempted (the attempt the kill interrupted is
      // tried again only when the hosts show it did not happen)
      const incoming = (after.get(vm) ?? 0) - (before.get(vm) ?? 0);
      const attempts = migrations.filter((s) => s.action.vm === vm).reduce((n, s) => n + s.attempts, 0);
      expect(incoming, `incoming migrations of ${vm}; ${said}`).toBeGreaterThanOrEqual(moves.length);
      expect(incoming, `incoming migrations of ${vm}; ${said}`).toBeLessThanOrEqual(attempts);
      expect(where.get(vm), `${vm}; ${said}`).toBe(moves.at(-1)?.action.to ?? start.get(vm));
    }
    for (const vm of banned) expect(where.get(vm), `${vm} moved off ${host}`).not.toBe(host);
  }, 420_000);

  it('a virsh that prints garbage: the host is reported with the error, the others are read, nothing moves', async () => {
    const where = await expectEveryGuestOnce();
    const { host } = await busiestHost();
    await bed.fault(host, 'garbage-virsh');
    try {
      const r = await bed.ferry(['inventory', '--config', fast]);
      expectNoStackTrace(r);
      expect(r.code, r.err).toBe(0);
      const line = r.out.split('\n').find((l) => l.startsWith(`${host} `)) ?? '';
      expect(line, r.out).toMatch(/error|garbage|unreadable|cannot|parse|unexpected|invalid|not answering/i);
      for (const other of HOSTS.filter((h) => h !== host)) expect(r.out).toMatch(new RegExp(`^${other} `, 'm'));
    } finally {
      await bed.fault(host, 'real-virsh');
    }
    expect(await expectEveryGuestOnce()).toEqual(where);
  }, 150_000);

  it('a host key that changed is refused loudly and the host is not touched', async () => {
    const where = await expectEveryGuestOnce();
    const { host, guests } = await busiestHost();
    await bed.fault(host, 'rekey');
    try {
      const inv = await bed.ferry(['inventory', '--config', fast]);
      expectNoStackTrace(inv);
      expect(inv.out + inv.err).toMatch(/host key/i);
      expect(inv.out + inv.err).toMatch(/changed|mismatch|does not match|REFUSED/i);
      const r = await bed.ferry(['run', '--config', fast, '--script', script('rekeyed', `>>ban({${guests[0]}}, {@${host}});\n`), '--yes', ...RUN_OPTIONS]);
      await abortIfUnfinished(r.out);
      expectNoStackTrace(r);
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).toMatch(/host key/i);
    } finally {
      await bed.fault(host, 'trust-key');
    }
    expect(await expectEveryGuestOnce()).toEqual(where);
  }, 300_000);

  it('the destination link goes down during a migration for 20 s: a clear state, every guest runs once', async () => {
    const { host, guests } = await busiestHost();
    let down = '';
    const run = await runWithFault(
      'link-down',
      host,
      guests.slice(0, 2),
      async (step) => {
        down = step.to;
        await bed.fault(down, 'link-down');
        await sleep(20_000);
        await bed.fault(down, 'link-up');
      },
      async () => {
        if (down !== '') await bed.fault(down, 'link-up');
        await settle();
      },
    );
    expectNoStackTrace(run);
    expectFinalState(run);
    expect(run.out).toMatch(new RegExp(`${down}|not answering|unreachable|timed out|failed`));
    await expectEveryGuestOnce();
  }, 240_000);

  it('an sshd killed during a step: a clear state, no guest lost or running twice', async () => {
    const { host, guests } = await busiestHost();
    const run = await runWithFault(
      'sshd-killed',
      host,
      guests.slice(0, 1),
      async (step) => bed.fault(step.from, 'kill-sshd'),
      async () => {
        await bed.fault(host, 'start-sshd');
        await settle();
      },
    );
    expectNoStackTrace(run);
    expectFinalState(run);
    await expectEveryGuestOnce();
  }, 240_000);

  it('a libvirtd restarted during a step: a clear state, no guest lost or running twice', async () => {
    const { host, guests } = await busiestHost();
    const run = await runWithFault(
      'libvirtd-restarted',
      host,
      guests.slice(0, 1),
      async (step) => bed.fault(step.from, 'restart-libvirtd'),
      async () => settle(),
    );
    expectNoStackTrace(run);
    expectFinalState(run);
    await expectEveryGuestOnce();
  }, 240_000);
});
