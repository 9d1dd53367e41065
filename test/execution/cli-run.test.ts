import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { checkPlan } from '../../src/checker/plan-checker.js';
import { parseScript } from '../../src/dsl/index.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { readActionsLog } from '../../main/node/demo/index.js';

/**
 * `ferry run` as an operator uses it, in real processes on the demo cluster: a run killed with
 * SIGKILL in the middle of its migrations is resumed from the journal, and the demo cluster's own
 * action log proves that no step ran twice and none was forgotten.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const FERRY = join(ROOT, 'bin', 'ferry.js');
const SCRIPT = join(ROOT, 'examples', 'demo-maintenance.btrp');
const homes: string[] = [];

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'ferry-run-'));
  homes.push(home);
  return home;
}

afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function env(home: string, speed = '20'): NodeJS.ProcessEnv {
  return { ...process.env, FERRY_HOME: home, FERRY_DEMO_SPEED: speed };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function ferry(args: string[], home: string, input?: string, speed?: string): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FERRY, ...args], { env: env(home, speed), cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (input !== undefined) child.stdin.end(input);
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** Resolves with the child's stdout so far once `pattern` appears in it. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${out}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

/** Every constraint of the demo script holds on the demo cluster as it is now. */
function assertScriptHolds(home: string): void {
  const json = execFileSync(process.execPath, [FERRY, 'inventory', '--cluster', 'demo', '--format', 'json'], { env: env(home), cwd: ROOT }).toString();
  const read = parseInstanceText(json);
  if (!read.ok) throw new Error(String(read.error));
  const model = read.value.model;
  const parsed = parseScript(readFileSync(SCRIPT, 'utf8'), { model });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const report = checkPlan({ model, constraints: parsed.constraints, objective: { id: 'minimizeMTTR' } }, { origin: model, actions: [] });
  expect(report.violations.map((v) => v.message)).toEqual([]);
}

describe('ferry run on the demo cluster', () => {
  it('survives SIGKILL in the middle of its migrations: resumed, no step ran twice, the constraints hold', async () => {
    const home = freshHome();
    const child = spawn(process.execPath, [FERRY, 'run', '--cluster', 'demo', '--script', SCRIPT, '--yes', '--time-limit', '5'], { env: env(home, '8'), cwd: ROOT });
    child.stderr.on('data', () => undefined);
    const seen = await waitFor(child, /migrate \S+ \S+ → \S+: running/, 60_000);
    // let a migration get under way on the hypervisor, then kill the client without warning
    await new Promise((r) => setTimeout(r, 400));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const runId = /run (r\S+) on demo/.exec(seen)?.[1];
    expect(runId).toBeDefined();

    const resumed = await ferry(['run', '--resume', runId as string, '--yes'], home);
    expect(resumed.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    expect(resumed.out).toContain(`run ${runId} succeeded`);

    // the hypervisor's own log: one accepted action per step of the plan, none twice
    const accepted = readActionsLog(join(home, 'demo')).filter((e) => 'result' in e && e.result === 'accepted') as { requestId: string; at: number; endsAt: number }[];
    // the kill really came while the hypervisor was migrating for the killed process
    expect(accepted.some((e) => e.at < killedAt && e.endsAt > killedAt)).toBe(true);
    const perStep = new Map<string, number>();
    for (const e of accepted) {
      const [run, step] = e.requestId.split(':');
      expect(run).toBe(runId);
      perStep.set(step as string, (perStep.get(step as string) ?? 0) + 1);
    }
    for (const [step, count] of perStep) expect(count, `step ${step}`).toBe(1);
    const runs = JSON.parse((await ferry(['runs', '--format', 'json'], home)).out) as { runId: string; steps: number; done: number; state: string }[];
    const summary = runs.find((r) => r.runId === runId);
    expect(summary?.state).toBe('succeeded');
    expect(perStep.size).toBe(summary?.steps);
    assertScriptHolds(home);
  });

  it('inventory: every host with its rack, load and overcommit; a silent host is reported, not fatal', async () => {
    const home = freshHome();
    const text = (await ferry(['inventory', '--cluster', 'demo'], home)).out;
    expect(text).toMatch(/^cluster demo, read .* UTC: 12 hosts, 63 VMs$/m);
    // the capacity plans count (32 cores × the demo's 3), its physical cores, and the use per core
    expect(text).toMatch(/^r1-h4 +r1 +online +cpu 80\/96 \(32 cores ×3, 2\.5:1\) +mem \d+\/256 GiB +\d+ VMs$/m);
    expect((await ferry(['demo', 'fault', 'host-down:r3-h2'], home)).code).toBe(0);
    const silent = await ferry(['inventory', '--cluster', 'demo'], home);
    expect(silent.code).toBe(0);
    expect(silent.out).toMatch(/^r3-h2 .*NOT ANSWERING: no answer within 5 s/m);
    expect(silent.out.split('\n').filter((l) => /^r\d-h\d /.test(l))).toHaveLength(12);
  });

  it('a second run on a held cluster is refused with who holds it', async () => {
    const home = freshHome();
    const first = spawn(process.execPath, [FERRY, 'run', '--cluster', 'demo', '--script', SCRIPT, '--time-limit', '3'], { env: env(home), cwd: ROOT });
    first.stderr.on('data', () => undefined);
    // interactive and nobody approves: the run holds the cluster, waiting
    await waitFor(first, /^s1 /m, 60_000);
    const second = await ferry(['run', '--cluster', 'demo', '--script', SCRIPT, '--time-limit', '3'], home, '');
    first.stdin?.end('x\n');
    await new Promise((r) => first.on('exit', r));
    expect(second.code).toBe(3);
    expect(second.err).toMatch(/cluster demo is held by run r\S+ \(.+@.+, pid \d+\) since/);
  });

  it('a journal that cannot be written is reported before any step starts', async () => {
    const home = freshHome();
    // a journal path that is a directory cannot be opened as a database
    mkdirSync(join(home, 'journal.sqlite'));
    const result = await ferry(['run', '--cluster', 'demo', '--script', SCRIPT, '--yes'], home);
    expect(result.code).toBe(1);
    expect(result.err).toContain('journal.sqlite');
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(readActionsLog(join(home, 'demo'))).toEqual([]);
  });

  it('writes the maintenance report of a finished run', async () => {
    const home = freshHome();
    const run = await ferry(['run', '--cluster', 'demo', '--script', SCRIPT, '--yes', '--time-limit', '3'], home, undefined, '50');
    expect(run.code, run.err).toBe(0);
    const runId = /run (r\S+) on demo/.exec(run.out)?.[1] as string;
    const md = await ferry(['report', runId], home);
    expect(md.code).toBe(0);
    expect(md.out).toContain(runId);
    expect(md.out).toMatch(/migrate \S+/);
    const file = join(home, 'report.html');
    const html = await ferry(['report', runId.slice(0, 12), '--format', 'html', '--output', file], home);
    expect(html.code, html.err).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('rehearses on a simulated copy with injected faults, leaving the cluster untouched', async () => {
    const home = freshHome();
    const json = execFileSync(process.execPath, [FERRY, 'inventory', '--cluster', 'demo', '--format', 'json'], { env: env(home), cwd: ROOT }).toString();
    const read = parseInstanceText(json);
    if (!read.ok) throw new Error(String(read.error));
    const model = read.value.model;
    const drained = model.nodeNames?.resolve('r2-h3') as number;
    const faults = [...model.mapping.runningVMs(drained)].flatMap((vm) => ['--fault', `fail-migration:${model.vmName(vm)}`]);
    const result = await ferry(['run', '--cluster', 'demo', '--script', SCRIPT, '--yes', '--time-limit', '3', '--rehearse', ...faults], home, undefined, '50');
    expect(result.code, result.err).toBe(1);
    expect(result.out).toMatch(/migrate \S+ r2-h3 → \S+: failed: .*fail/);
    expect(result.out).toMatch(/run r\S+ failed/);
    const runId = /run (r\S+) on rehearsal:/.exec(result.out)?.[1] as string;
    expect(runId).toBeDefined();
    // the rehearsal's own hypervisor saw the attempts; the demo cluster saw nothing
    expect(readActionsLog(join(home, 'rehearsals', runId)).some((e) => 'event' in e && e.event === 'failed')).toBe(true);
    expect(readActionsLog(join(home, 'demo')).filter((e) => 'requestId' in e)).toEqual([]);
  });

  it('a host that stops answering holds its steps; unattended, the run is aborted after a few looks, nothing half-done', async () => {
    const home = freshHome();
    const result = await ferry(['run', '--cluster', 'demo', '--script', SCRIPT, '--yes', '--time-limit', '3', '--rehearse', '--fault', 'host-down:r2-h3'], home, undefined, '50');
    expect(result.code, result.out + result.err).toBe(1);
    expect(result.out).toMatch(/held: host r2-h3 is not answering/);
    expect(result.out).toMatch(/run cancelled: s\d+ stayed blocked \(host r2-h3 is not answering/);
    const runId = /run (r\S+) on rehearsal:/.exec(result.out)?.[1] as string;
    // nothing was started on the silent host
    expect(readActionsLog(join(home, 'rehearsals', runId)).filter((e) => 'result' in e && e.result === 'accepted')).toEqual([]);
  });

  it('runs step by step on the operator\'s word: approve one, skip with the blocked steps shown, then the rest unattended', async () => {
    const home = freshHome();
    const child = spawn(process.execPath, [FERRY, 'run', '--cluster', 'demo', '--script', SCRIPT, '--time-limit', '3'], { env: env(home, '50'), cwd: ROOT });
    let all = '';
    child.stdout.on('data', (d: Buffer) => (all += d.toString()));
    child.stderr.on('data', (d: Buffer) => (all += d.toString()));
    const until = async (pattern: RegExp): Promise<void> => {
      const start = Date.now();
      while (!pattern.test(all)) {
        if (Date.now() - start > 60_000) throw new Error(`timed out waiting for ${pattern}:\n${all}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await until(/> awaiting approval: s1/);
    // nothing runs before an approval
    expect(all).not.toMatch(/s1 .*: running/);
    child.stdin.write('a s1\n');
    await until(/s1 .*: succeeded/);
    child.stdin.write('b s1\n');
    await until(/s1 blocks s\d+/);
    const last = /^(s\d+) .*power off r2-h3/m.exec(all)?.[1] as string;
    child.stdin.write(`s ${last} keep the host up for the vendor\n`);
    await until(new RegExp(`${last} power off r2-h3: skipped`));
    child.stdin.write('u\n');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(all).toMatch(new RegExp(`${last} power off r2-h3: skipped: keep the host up for the vendor`));
    expect(code, all).toBe(0);
    expect(all).toMatch(/run r\S+ succeeded/);
    expect(all).not.toMatch(/\n\s+at /);
  });
});

