import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { blockedBy, diffPlans, isFinal, transition } from '../../src/executor/index.js';
import type { ExecEvent, ReplanProposal, Run } from '../../src/executor/index.js';
import { OP, bootNode, bootVm, commandsOf, mig, ok, okAll, refused, run, shutdownNode, states, step, stepOf, succeed } from './support.js';

/** s1: VM1 N1→N2; s2: VM2 N1→N3 (same source, later); s3 shuts N1 down after both. */
const plan = (): Run => run([step('s1', mig('VM1', 'N1', 'N2'), [], 0, 10), step('s2', mig('VM2', 'N1', 'N3'), [], 2, 12), step('s3', shutdownNode('N1'), ['s1', 's2'], 12, 14)]);

const startedManual = (r = plan()): Run => ok(r, { type: 'start', at: 2000, by: OP }).run;
/** Started with every step approved: s1 and s2 run (cap 2 on N1). */
const startedApproved = (r = plan()): Run => okAll(r, [{ type: 'approve', at: 1500, by: OP, stepIds: r.steps.map((s) => s.id) }, { type: 'start', at: 2000, by: OP }]).run;

describe('run life cycle', () => {
  it('draft → approved → running, start records the time', () => {
    const approved = ok(plan(), { type: 'approve-plan', at: 1500, by: OP }).run;
    expect(approved.state).toBe('approved');
    const running = ok(approved, { type: 'start', at: 2000, by: OP }).run;
    expect(running.state).toBe('running');
    expect(running.startedAt).toBe(2000);
  });

  it('start from a draft approves the plan implicitly, not its steps', () => {
    const t = ok(plan(), { type: 'start', at: 2000, by: OP });
    expect(t.run.state).toBe('running');
    expect(states(t.run)).toEqual({ s1: 'awaiting-approval', s2: 'awaiting-approval', s3: 'pending' });
    expect(t.commands).toEqual([]);
  });

  it('refuses events that make no sense in the state, in operator words, changing nothing', () => {
    const running = startedManual();
    expect(refused(running, { type: 'start', at: 1, by: OP })).toBe('the run is running');
    expect(refused(running, { type: 'approve-plan', at: 1, by: OP })).toBe('the run is running');
    expect(refused(running, { type: 'resume', at: 1, by: OP })).toBe('the run is running');
    expect(refused(plan(), { type: 'pause', at: 1, by: OP })).toBe('the run is still a draft');
    const paused = ok(running, { type: 'pause', at: 3000, by: OP }).run;
    expect(refused(paused, { type: 'pause', at: 1, by: OP })).toBe('the run is paused');
    expect(refused(running, { type: 'approve', at: 1, by: OP, stepIds: ['s9'] })).toBe('there is no step s9');
    expect(refused(running, { type: 'replan-accepted', at: 1, by: OP })).toBe('there is no re-plan to accept');
    expect(refused(running, { type: 'preflight-ok', at: 1, stepId: 's1' })).toBe('s1 is awaiting approval');
  });

  it('refuses every event on a finished run', () => {
    const done = ok(plan(), { type: 'abort', at: 1500, by: OP }).run;
    expect(done.state).toBe('cancelled');
    expect(isFinal(done)).toBe(true);
    const events: ExecEvent[] = [
      { type: 'start', at: 1, by: OP },
      { type: 'approve', at: 1, by: OP, stepIds: ['s1'] },
      { type: 'skip', at: 1, by: OP, stepId: 's1', reason: 'x' },
      { type: 'recovered', at: 1, by: OP },
      { type: 'abort', at: 1, by: OP },
      { type: 'verified', at: 1, stepId: 's1', result: 'done', detail: '' },
    ];
    for (const e of events) expect(refused(done, e)).toBe('the run was cancelled');
  });

  it('supersede: only a draft or approved run, every step cancelled', () => {
    const t = ok(plan(), { type: 'supersede', at: 1500, by: OP, reason: 'revision from 10:02 replaces it' });
    expect(t.run.state).toBe('superseded');
    expect(t.run.endedAt).toBe(1500);
    expect(t.run.steps.every((s) => s.state === 'cancelled')).toBe(true);
    expect(refused(startedManual(), { type: 'supersede', at: 1, by: OP, reason: 'x' })).toMatch(/only a draft or approved run/);
  });

  it('an empty plan succeeds as soon as it starts', () => {
    const t = ok(run([]), { type: 'start', at: 2000, by: OP });
    expect(t.run.state).toBe('succeeded');
    expect(t.run.endedAt).toBe(2000);
  });

  it('an event without a valid time is refused', () => {
    expect(refused(plan(), { type: 'start', at: Number.NaN, by: OP })).toMatch(/no valid time/);
  });
});

describe('approval and scheduling', () => {
  it('approve: an awaiting step becomes ready and starts with a preflight; approvedBy is recorded', () => {
    const t = ok(startedManual(), { type: 'approve', at: 2500, by: OP, stepIds: ['s1'] });
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'running', phase: 'preflight', approved: true, approvedBy: OP, startedAt: 2500 });
    expect(t.commands).toEqual([{ type: 'preflight', stepId: 's1' }]);
    expect(stepOf(t.run, 's2').state).toBe('awaiting-approval');
  });

  it('a pre-approved pending step becomes ready once every prerequisite succeeded', () => {
    let r = startedApproved();
    expect(states(r)).toEqual({ s1: 'running/preflight', s2: 'running/preflight', s3: 'pending' });
    r = succeed(r, 's1').run;
    expect(stepOf(r, 's3').state).toBe('pending');
    const t = succeed(r, 's2');
    expect(stepOf(t.run, 's3')).toMatchObject({ state: 'running', phase: 'preflight' });
    expect(t.commands).toContainEqual({ type: 'preflight', stepId: 's3' });
  });

  it('the per-host cap: at most maxPerHost running steps touch a node, ready ones start in plan order', () => {
    let r = startedApproved(run(plan().steps, { maxPerHost: 1 }));
    expect(states(r)).toEqual({ s1: 'running/preflight', s2: 'ready', s3: 'pending' });
    const t = succeed(r, 's1');
    r = t.run;
    expect(states(r)).toMatchObject({ s1: 'succeeded', s2: 'running/preflight' });
    expect(t.commands).toContainEqual({ type: 'preflight', stepId: 's2' });
  });

  it('approve-ready approves every awaiting step; with none it is refused', () => {
    const t = ok(startedManual(), { type: 'approve-ready', at: 2500, by: OP });
    expect(states(t.run)).toEqual({ s1: 'running/preflight', s2: 'running/preflight', s3: 'pending' });
    expect(refused(t.run, { type: 'approve-ready', at: 2600, by: OP })).toBe('no step is awaiting approval');
  });

  it('approving a running or finished step is refused', () => {
    const r = startedApproved();
    expect(refused(r, { type: 'approve', at: 1, by: OP, stepIds: ['s3', 's1'] })).toBe('s1 is running');
    const done = succeed(r, 's1').run;
    expect(refused(done, { type: 'approve', at: 1, by: OP, stepIds: ['s1'] })).toBe('s1 has already succeeded');
  });

  it('set-mode unattended approves every step by the actor, and sets the per-host cap', () => {
    const t = ok(startedManual(run(plan().steps, { maxPerHost: 1 })), { type: 'set-mode', at: 2500, by: 'bob@ops', mode: 'unattended', maxPerHost: 2 });
    expect(t.run.mode).toBe('unattended');
    expect(t.run.maxPerHost).toBe(2);
    expect(t.run.steps.every((s) => s.approved && s.approvedBy === 'bob@ops')).toBe(true);
    expect(states(t.run)).toEqual({ s1: 'running/preflight', s2: 'running/preflight', s3: 'pending' });
    for (const bad of [0, 1.5, -1]) expect(refused(t.run, { type: 'set-mode', at: 1, by: OP, mode: 'manual', maxPerHost: bad })).toMatch(/whole number of at least 1/);
  });

  it('an unattended run approves its steps when the plan is started', () => {
    const t = ok(run(plan().steps, { mode: 'unattended' }), { type: 'start', at: 2000, by: OP });
    expect(t.run.steps.every((s) => s.approvedBy === OP)).toBe(true);
    expect(commandsOf(t, 'preflight')).toHaveLength(2);
  });
});

describe('operator hands on steps: skip, hold, release', () => {
  it('skip needs a reason; the dependents of a skipped step never run and the run fails', () => {
    let r = startedApproved();
    expect(refused(r, { type: 'skip', at: 1, by: OP, stepId: 's3', reason: '  ' })).toBe('a reason is needed to skip s3');
    expect(refused(r, { type: 'skip', at: 1, by: OP, stepId: 's1', reason: 'x' })).toBe('s1 is running');
    r = succeed(r, 's1').run;
    expect(refused(r, { type: 'skip', at: 1, by: OP, stepId: 's1', reason: 'x' })).toBe('s1 has already succeeded');
    // s2 cannot be skipped while it runs: fail it first
    r = okAll(r, [
      { type: 'preflight-ok', at: 3000, stepId: 's2' },
      { type: 'effect-ended', at: 3100, stepId: 's2', outcome: { status: 'failed', error: 'libvirt: connection reset' } },
      { type: 'verified', at: 3200, stepId: 's2', result: 'not-done', detail: 'VM2 is running on N1' },
    ]).run;
    expect(blockedBy(r, 's2')).toEqual(['s3']);
    const t = ok(r, { type: 'skip', at: 3300, by: OP, stepId: 's2', reason: 'VM2 stays, decided with the owner' });
    expect(stepOf(t.run, 's2')).toMatchObject({ state: 'skipped', reason: 'VM2 stays, decided with the owner' });
    expect(stepOf(t.run, 's3')).toMatchObject({ state: 'cancelled', reason: 'blocked by skipped s2' });
    expect(t.run.state).toBe('failed');
    expect(t.run.endedAt).toBe(3300);
  });

  it('a run whose only skipped steps have no dependents succeeds', () => {
    let r = startedApproved(run([step('s1', mig('VM1', 'N1', 'N2')), step('s2', mig('VM2', 'N3', 'N4'))]));
    r = succeed(r, 's1').run;
    r = okAll(r, [
      { type: 'preflight-ok', at: 3000, stepId: 's2' },
      { type: 'effect-ended', at: 3100, stepId: 's2', outcome: { status: 'timed-out', error: 'no answer in 600 s' } },
      { type: 'verified', at: 3200, stepId: 's2', result: 'not-done', detail: 'VM2 is running on N3' },
    ]).run;
    expect(stepOf(r, 's2')).toMatchObject({ state: 'failed', reason: 'no answer in 600 s' });
    expect(r.state).toBe('running');
    const t = ok(r, { type: 'failure-choice', at: 3300, by: OP, stepId: 's2', choice: 'skip' });
    expect(stepOf(t.run, 's2')).toMatchObject({ state: 'skipped', reason: 'skipped after failure: no answer in 600 s' });
    expect(t.run.state).toBe('succeeded');
  });

  it('hold keeps a step back; release returns it to pending with its approval, and it starts', () => {
    let r = ok(startedManual(run(plan().steps, { maxPerHost: 1 })), { type: 'approve', at: 2100, by: OP, stepIds: ['s1', 's2'] }).run;
    expect(states(r)).toMatchObject({ s1: 'running/preflight', s2: 'ready' });
    r = ok(r, { type: 'hold', at: 2200, by: OP, stepId: 's2', reason: 'owner asked to wait' }).run;
    expect(stepOf(r, 's2')).toMatchObject({ state: 'held', heldBy: OP, reason: 'owner asked to wait' });
    expect(refused(r, { type: 'hold', at: 1, by: OP, stepId: 's1' })).toBe('s1 is running');
    r = succeed(r, 's1').run;
    expect(stepOf(r, 's2').state).toBe('held');
    const t = ok(r, { type: 'release', at: 6000, by: OP, stepId: 's2' });
    expect(stepOf(t.run, 's2')).toMatchObject({ state: 'running', phase: 'preflight', approved: true, heldBy: null });
    expect(refused(t.run, { type: 'release', at: 1, by: OP, stepId: 's2' })).toMatch(/only a held step can be released/);
  });
});

describe('a step from preflight to verification', () => {
  it('preflight-ok performs with a request id per attempt; progress is stored; ALWAYS verify after the effect', () => {
    let r = startedApproved();
    let t = ok(r, { type: 'preflight-ok', at: 3000, stepId: 's1' });
    expect(t.commands).toEqual([{ type: 'perform', stepId: 's1', requestId: 'r1:s1:1' }]);
    expect(stepOf(t.run, 's1')).toMatchObject({ phase: 'executing', attempts: 1 });
    t = ok(t.run, { type: 'effect-progress', at: 3100, stepId: 's1', progress: { fraction: 0.4, message: 'copying memory' } });
    expect(stepOf(t.run, 's1').progress).toEqual({ fraction: 0.4, message: 'copying memory' });
    // the client gave up, the hypervisor did not: the fresh read decides
    t = ok(t.run, { type: 'effect-ended', at: 3200, stepId: 's1', outcome: { status: 'timed-out', error: 'no answer' } });
    expect(t.commands).toEqual([{ type: 'verify', stepId: 's1', delayMs: 0 }]);
    expect(stepOf(t.run, 's1')).toMatchObject({ phase: 'verifying', lastOutcome: { status: 'timed-out', error: 'no answer' } });
    expect(refused(t.run, { type: 'effect-progress', at: 1, stepId: 's1', progress: { fraction: 0.5 } })).toBe('s1 is not executing (it is being verified)');
    t = ok(t.run, { type: 'verified', at: 3300, stepId: 's1', result: 'in-flight', detail: 'migration 90%' });
    expect(t.commands).toEqual([{ type: 'verify', stepId: 's1', delayMs: 1000 }]);
    t = ok(t.run, { type: 'verified', at: 4300, stepId: 's1', result: 'done', detail: 'VM1 is running on N2' });
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'succeeded', phase: null, endedAt: 4300 });
    r = t.run;
    expect(refused(r, { type: 'verified', at: 1, stepId: 's1', result: 'done', detail: '' })).toBe('s1 has already succeeded');
  });

  it('an effect reported as succeeded that the read does not show is a failure', () => {
    const t = okAll(startedApproved(), [
      { type: 'preflight-ok', at: 3000, stepId: 's1' },
      { type: 'effect-ended', at: 3100, stepId: 's1', outcome: { status: 'succeeded' } },
      { type: 'verified', at: 3200, stepId: 's1', result: 'not-done', detail: 'VM1 is running on N1, not on N2' },
    ]);
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'failed', reason: 'the effector reported success but VM1 is running on N1, not on N2', endedAt: 3200 });
    expect(t.run.state).toBe('running');
  });

  it('preflight drift holds the step and asks for a re-plan; blocked holds it without', () => {
    let t = ok(startedApproved(), { type: 'preflight-drift', at: 3000, stepId: 's1', drift: ['VM1 is on N4, the plan expected N1', 'N2 hosts VM9, which the plan did not expect'] });
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'held', heldBy: 'drift', reason: 'VM1 is on N4, the plan expected N1; N2 hosts VM9, which the plan did not expect' });
    expect(t.commands).toEqual([{ type: 'replan', reason: 'VM1 is on N4, the plan expected N1; N2 hosts VM9, which the plan did not expect' }]);
    t = ok(t.run, { type: 'preflight-blocked', at: 3000, stepId: 's2', reason: 'host N3 is not answering: ssh timeout' });
    expect(stepOf(t.run, 's2')).toMatchObject({ state: 'held', heldBy: 'ferry', reason: 'host N3 is not answering: ssh timeout' });
    expect(t.commands).toEqual([]);
    expect(t.run.state).toBe('running');
  });
});

describe('failure choices', () => {
  const failed = (): Run =>
    okAll(startedApproved(), [
      { type: 'preflight-ok', at: 3000, stepId: 's1' },
      { type: 'effect-ended', at: 3100, stepId: 's1', outcome: { status: 'failed', error: 'migration aborted by the hypervisor' } },
      { type: 'verified', at: 3200, stepId: 's1', result: 'not-done', detail: 'VM1 is running on N1' },
    ]).run;

  it('retry: back to ready (approval kept), starts again, the next attempt has its own request id', () => {
    let t = ok(failed(), { type: 'failure-choice', at: 3300, by: OP, stepId: 's1', choice: 'retry' });
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'running', phase: 'preflight', approved: true, reason: null });
    t = ok(t.run, { type: 'preflight-ok', at: 3400, stepId: 's1' });
    expect(t.commands).toEqual([{ type: 'perform', stepId: 's1', requestId: 'r1:s1:2' }]);
  });

  it('replan: asks for one, the step stays failed', () => {
    const t = ok(failed(), { type: 'failure-choice', at: 3300, by: OP, stepId: 's1', choice: 'replan' });
    expect(t.commands).toEqual([{ type: 'replan', reason: 's1 failed: migration aborted by the hypervisor' }]);
    expect(stepOf(t.run, 's1').state).toBe('failed');
  });

  it('a choice on a step that has not failed is refused', () => {
    expect(refused(failed(), { type: 'failure-choice', at: 1, by: OP, stepId: 's2', choice: 'retry' })).toBe('s2 has not failed (it is running)');
  });

  it('stop: executing steps are cancelled, the run fails once they settled; every unfinished step is cancelled', () => {
    let r = ok(failed(), { type: 'preflight-ok', at: 3300, stepId: 's2' }).run;
    const t = ok(r, { type: 'failure-choice', at: 3400, by: OP, stepId: 's1', choice: 'stop' });
    expect(t.commands).toEqual([{ type: 'cancel', stepId: 's2' }]);
    expect(t.run.stopping).toBe('stop');
    expect(t.run.state).toBe('running');
    expect(refused(t.run, { type: 'failure-choice', at: 1, by: OP, stepId: 's1', choice: 'retry' })).toBe('the run is being stopped');
    r = okAll(t.run, [
      { type: 'effect-ended', at: 3500, stepId: 's2', outcome: { status: 'cancelled' } },
      { type: 'verified', at: 3600, stepId: 's2', result: 'not-done', detail: 'VM2 is running on N1' },
    ]).run;
    expect(r.state).toBe('failed');
    expect(r.endedAt).toBe(3600);
    expect(r.reason).toBe(`stopped by ${OP} after s1 failed: migration aborted by the hypervisor`);
    expect(r.steps.every((s) => s.state === 'cancelled')).toBe(true);
    expect(stepOf(r, 's1').reason).toMatch(/^failed \(migration aborted by the hypervisor\), then cancelled/);
  });
});

describe('pause, resume, abort', () => {
  it('while paused nothing new starts, running steps finish; resume starts what is ready', () => {
    let r = startedApproved(run(plan().steps, { maxPerHost: 1 }));
    r = okAll(r, [
      { type: 'preflight-ok', at: 3000, stepId: 's1' },
      { type: 'pause', at: 3100, by: OP },
      { type: 'effect-ended', at: 3200, stepId: 's1', outcome: { status: 'succeeded' } },
      { type: 'verified', at: 3300, stepId: 's1', result: 'done', detail: '' },
    ]).run;
    expect(r.state).toBe('paused');
    expect(states(r)).toEqual({ s1: 'succeeded', s2: 'ready', s3: 'pending' });
    const t = ok(r, { type: 'resume', at: 4000, by: OP });
    expect(t.run.state).toBe('running');
    expect(t.commands).toEqual([{ type: 'preflight', stepId: 's2' }]);
  });

  it('a preflight that ends while paused starts no effect: the step waits to be checked again', () => {
    const r = ok(startedApproved(), { type: 'pause', at: 2500, by: OP }).run;
    const t = ok(r, { type: 'preflight-ok', at: 2600, stepId: 's1' });
    expect(t.commands).toEqual([]);
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'ready', phase: null, attempts: 0 });
  });

  it('abort cancels the executing effects, lets preflight and verification finish, then cancels the rest', () => {
    let r = ok(startedApproved(), { type: 'preflight-ok', at: 3000, stepId: 's1' }).run;
    const t = ok(r, { type: 'abort', at: 3100, by: OP, reason: 'maintenance window closed' });
    expect(t.commands).toEqual([{ type: 'cancel', stepId: 's1' }]);
    expect(t.run.stopping).toBe('abort');
    r = ok(t.run, { type: 'preflight-ok', at: 3200, stepId: 's2' }).run;
    expect(stepOf(r, 's2').state).toBe('ready');
    r = okAll(r, [
      { type: 'effect-ended', at: 3300, stepId: 's1', outcome: { status: 'succeeded' } },
      { type: 'verified', at: 3400, stepId: 's1', result: 'done', detail: 'VM1 is running on N2' },
    ]).run;
    expect(r.state).toBe('cancelled');
    expect(r.reason).toBe('maintenance window closed');
    expect(states(r)).toEqual({ s1: 'succeeded', s2: 'cancelled', s3: 'cancelled' });
  });

  it('abort of a draft or approved run ends it at once; abort twice is refused', () => {
    expect(ok(plan(), { type: 'abort', at: 1500, by: OP }).run).toMatchObject({ state: 'cancelled', endedAt: 1500, reason: `aborted by ${OP}` });
    const r = ok(startedApproved(), { type: 'preflight-ok', at: 3000, stepId: 's1' }).run;
    const stopping = ok(r, { type: 'abort', at: 3100, by: OP }).run;
    expect(refused(stopping, { type: 'abort', at: 3200, by: OP })).toBe('the run is being aborted');
    expect(refused(stopping, { type: 'pause', at: 3200, by: OP })).toBe('the run is being aborted');
  });
});

describe('crash recovery', () => {
  it('every running step is read again before anything else; an effect that never ended and did not happen waits again', () => {
    let r = ok(startedApproved(), { type: 'preflight-ok', at: 3000, stepId: 's1' }).run;
    const t = ok(r, { type: 'recovered', at: 9000, by: 'ferry' });
    expect(t.commands).toEqual([
      { type: 'verify', stepId: 's1', delayMs: 0 },
      { type: 'verify', stepId: 's2', delayMs: 0 },
    ]);
    expect(states(t.run)).toMatchObject({ s1: 'running/verifying', s2: 'running/verifying' });
    // answers to the commands of before the crash are refused
    expect(refused(t.run, { type: 'effect-ended', at: 9001, stepId: 's1', outcome: { status: 'succeeded' } })).toBe('s1 is not executing (it is being verified)');
    r = ok(t.run, { type: 'verified', at: 9100, stepId: 's1', result: 'not-done', detail: 'VM1 is running on N1' }).run;
    // back to ready, started again at once: preflight re-checks before a second attempt
    expect(stepOf(r, 's1')).toMatchObject({ state: 'running', phase: 'preflight', attempts: 1 });
    const again = ok(r, { type: 'preflight-ok', at: 9200, stepId: 's1' });
    expect(again.commands).toEqual([{ type: 'perform', stepId: 's1', requestId: 'r1:s1:2' }]);
    // s2 had only been preflighted: the read shows it done (a previous attempt did it) → succeeded
    expect(ok(r, { type: 'verified', at: 9100, stepId: 's2', result: 'done', detail: '' }).run.steps[1]?.state).toBe('succeeded');
  });

  it('an interrupted step found done by its next preflight succeeded: not tried again, not held as drift', () => {
    let r = ok(startedApproved(), { type: 'preflight-ok', at: 3000, stepId: 's1' }).run;
    r = ok(r, { type: 'recovered', at: 9000, by: 'ferry' }).run;
    // the read after the restart caught the migration before it showed (libvirt finished it later)
    r = ok(r, { type: 'verified', at: 9100, stepId: 's1', result: 'not-done', detail: 'VM1 is running on N1' }).run;
    expect(stepOf(r, 's1')).toMatchObject({ state: 'running', phase: 'preflight', attempts: 1 });
    const t = ok(r, { type: 'verified', at: 9200, stepId: 's1', result: 'done', detail: 'found done before trying again: VM1 is running on N2' });
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'succeeded', phase: null, attempts: 1, endedAt: 9200 });
    expect(commandsOf(t, 'perform')).toEqual([]);
    expect(commandsOf(t, 'replan')).toEqual([]);
  });

  it('a step never attempted cannot be found done in preflight: its result holding is drift, for a re-plan', () => {
    const r = startedApproved();
    expect(stepOf(r, 's1')).toMatchObject({ state: 'running', phase: 'preflight', attempts: 0 });
    expect(refused(r, { type: 'verified', at: 3000, stepId: 's1', result: 'done', detail: 'VM1 is running on N2' })).toBe('s1 is not being verified (it is in preflight)');
  });

  it('a drift-held step whose re-plan request died with the process asks again', () => {
    const r = ok(startedApproved(), { type: 'preflight-drift', at: 3000, stepId: 's1', drift: ['VM1 is gone'] }).run;
    const t = ok(r, { type: 'recovered', at: 9000, by: 'ferry' });
    expect(commandsOf(t, 'replan')).toEqual([{ type: 'replan', reason: 'after a restart: s1: VM1 is gone' }]);
  });
});

describe('re-plan', () => {
  /** s1 drifted (VM1 is on N4): the new plan moves VM1 N4→N2, keeps s2 and s3. */
  const drifted = (): Run => ok(startedApproved(), { type: 'preflight-drift', at: 3000, stepId: 's1', drift: ['VM1 is on N4, the plan expected N1'] }).run;
  const proposal = (r: Run): ReplanProposal => {
    const { steps, diff } = diffPlans(r, [step('s4', mig('VM1', 'N4', 'N2'), [], 0, 10), step('s5', mig('VM2', 'N1', 'N3'), [], 0, 10), step('s6', shutdownNode('N1'), ['s5'], 10, 12)]);
    return { revision: 2, reason: 's1: VM1 is on N4', steps, diff, constraintHash: 'h2' };
  };

  it('accepted: kept steps keep their ids, dropped ones are cancelled, new ones pending; approval reset', () => {
    let r = drifted();
    r = succeed(r, 's2').run;
    const p = proposal(r);
    expect(p.diff).toEqual({ kept: ['s3'], dropped: ['s1'], added: ['s4', 's5'] });
    expect(p.steps.map((s) => [s.id, s.dependsOn])).toEqual([['s4', []], ['s5', []], ['s3', ['s5']]]);
    r = ok(r, { type: 'replan-proposed', at: 6000, proposal: p }).run;
    expect(r.replan).toBe(p);
    const t = ok(r, { type: 'replan-accepted', at: 6100, by: OP });
    expect(t.run.revision).toBe(2);
    expect(t.run.constraintHash).toBe('h2');
    expect(t.run.replan).toBeNull();
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'cancelled', reason: 'dropped by re-plan (revision 2)' });
    expect(stepOf(t.run, 's2').state).toBe('succeeded');
    // manual mode: the new revision's steps wait for approval again
    expect(stepOf(t.run, 's4')).toMatchObject({ state: 'awaiting-approval', approved: false });
    expect(t.run.steps.map((s) => s.id)).toEqual(['s1', 's2', 's4', 's5', 's3']);
    expect(states(t.run)).toEqual({ s1: 'cancelled', s2: 'succeeded', s4: 'awaiting-approval', s5: 'awaiting-approval', s3: 'pending' });
  });

  it('a kept step that finished after the proposal stays finished; a kept step keeps its attempts', () => {
    let r = drifted();
    const p = proposal(r);
    expect(p.diff.kept).toEqual(['s2', 's3']);
    r = ok(r, { type: 'replan-proposed', at: 4000, proposal: p }).run;
    r = succeed(r, 's2').run;
    const t = ok(r, { type: 'replan-accepted', at: 6100, by: OP });
    expect(stepOf(t.run, 's2')).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(states(t.run)).toEqual({ s1: 'cancelled', s2: 'succeeded', s4: 'awaiting-approval', s3: 'awaiting-approval' });
    expect(stepOf(t.run, 's3').dependsOn).toEqual(['s2']);
  });

  it('is refused while a step it drops is running; a running step it keeps runs on', () => {
    let r = ok(startedApproved(), { type: 'preflight-drift', at: 3000, stepId: 's2', drift: ['x'] }).run;
    const p: ReplanProposal = { revision: 2, reason: 'x', steps: [], diff: { kept: [], dropped: ['s1', 's2', 's3'], added: [] }, constraintHash: 'h2' };
    r = ok(r, { type: 'replan-proposed', at: 3100, proposal: p }).run;
    expect(refused(r, { type: 'replan-accepted', at: 3200, by: OP })).toBe('s1 is running and the re-plan drops it: accept the re-plan once it has finished');
    const { steps, diff } = diffPlans(r, [step('s4', mig('VM1', 'N1', 'N2'))]);
    r = ok(r, { type: 'replan-proposed', at: 3300, proposal: { revision: 2, reason: 'x', steps, diff, constraintHash: 'h2' } }).run;
    const t = ok(r, { type: 'replan-accepted', at: 3400, by: OP });
    expect(states(t.run)).toEqual({ s1: 'running/preflight', s2: 'cancelled', s3: 'cancelled' });
    expect(t.commands).toEqual([]);
  });

  it('rejected: the proposal is cleared, the drift-held step stays held; a failed re-plan is recorded', () => {
    let r = drifted();
    r = ok(r, { type: 'replan-failed', at: 3500, reason: 'no placement satisfies spread(VM[1..2])' }).run;
    expect(r.reason).toBe('re-plan failed: no placement satisfies spread(VM[1..2])');
    r = ok(r, { type: 'replan-proposed', at: 4000, proposal: proposal(r) }).run;
    const t = ok(r, { type: 'replan-rejected', at: 4100, by: OP });
    expect(t.run.replan).toBeNull();
    expect(stepOf(t.run, 's1')).toMatchObject({ state: 'held', heldBy: 'drift' });
  });

  it('an inconsistent or stale proposal is refused', () => {
    const r = drifted();
    const p = proposal(r);
    expect(refused(r, { type: 'replan-proposed', at: 1, proposal: { ...p, revision: 1 } })).toMatch(/not newer than revision 1/);
    expect(refused(r, { type: 'replan-proposed', at: 1, proposal: { ...p, diff: { ...p.diff, kept: [...p.diff.kept, 's9'] } } })).toMatch(/keeps s9/);
    expect(refused(r, { type: 'replan-proposed', at: 1, proposal: { ...p, steps: [step('s1', bootNode('N9'))], diff: { kept: [], dropped: [], added: ['s1'] } } })).toMatch(/reuses the id s1/);
    expect(refused(plan(), { type: 'replan-proposed', at: 1, proposal: p })).toBe('the run is still a draft');
  });

  it('an unattended run approves the new steps as the acceptor', () => {
    let r = ok(run(plan().steps, { mode: 'unattended' }), { type: 'start', at: 2000, by: OP }).run;
    r = ok(r, { type: 'preflight-drift', at: 3000, stepId: 's1', drift: ['VM1 is on N4, the plan expected N1'] }).run;
    r = ok(r, { type: 'replan-proposed', at: 3100, proposal: proposal(r) }).run;
    const t = ok(r, { type: 'replan-accepted', at: 3200, by: 'bob@ops' });
    expect(stepOf(t.run, 's4')).toMatchObject({ state: 'running', approved: true, approvedBy: 'bob@ops' });
  });
});

describe('blockedBy', () => {
  it('lists every unfinished step that transitively depends on the step', () => {
    const r = run([step('s1', bootNode('N1')), step('s2', bootVm('VM1', 'N1'), ['s1']), step('s3', mig('VM1', 'N1', 'N2'), ['s2']), step('s4', bootNode('N2'))]);
    expect(blockedBy(r, 's1')).toEqual(['s2', 's3']);
    expect(blockedBy(r, 's4')).toEqual([]);
    expect(blockedBy(r, 's9')).toEqual([]);
  });
});

const EVENT_TYPES = ['approve-plan', 'start', 'approve', 'approve-ready', 'set-mode', 'skip', 'hold', 'release', 'pause', 'resume', 'abort', 'preflight-ok', 'preflight-drift', 'preflight-blocked', 'effect-progress', 'effect-ended', 'verified', 'failure-choice', 'replan-proposed', 'replan-failed', 'replan-accepted', 'replan-rejected', 'supersede', 'recovered'];

/** Runs in every kind of state: draft, steps in each phase, failed step, paused, re-plan pending, finished. */
function runsInEveryState(): Run[] {
  const a = startedApproved();
  const executing = ok(a, { type: 'preflight-ok', at: 3000, stepId: 's1' }).run;
  const verifying = ok(executing, { type: 'effect-ended', at: 3100, stepId: 's1', outcome: { status: 'failed', error: 'x' } }).run;
  const failed = ok(verifying, { type: 'verified', at: 3200, stepId: 's1', result: 'not-done', detail: 'x' }).run;
  const drifted = ok(failed, { type: 'preflight-drift', at: 3300, stepId: 's2', drift: ['x'] }).run;
  const proposed = ok(drifted, { type: 'replan-proposed', at: 3400, proposal: { revision: 2, reason: 'x', steps: [], diff: { kept: [], dropped: ['s1', 's2', 's3'], added: [] }, constraintHash: 'h2' } }).run;
  const paused = ok(executing, { type: 'pause', at: 3500, by: OP }).run;
  const stopping = ok(executing, { type: 'abort', at: 3600, by: OP }).run;
  return [plan(), a, executing, verifying, failed, drifted, proposed, paused, stopping, ok(plan(), { type: 'abort', at: 1, by: OP }).run];
}

describe('never throws', () => {
  it('fuzz: any event shape on any state is applied or refused, never thrown', () => {
    const runs = runsInEveryState();
    const field = fc.oneof(fc.anything(), fc.constantFrom('s1', 's2', 's3', 's9'), fc.constantFrom('done', 'in-flight', 'not-done', 'retry', 'skip', 'stop', 'replan', 'unattended'));
    const event = fc.record({
      type: fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.anything()),
      at: fc.oneof(fc.integer(), fc.double(), fc.anything()),
      by: fc.oneof(fc.constant(OP), fc.anything()),
      stepId: field,
      stepIds: fc.oneof(fc.array(field), fc.anything()),
      reason: field,
      drift: fc.oneof(fc.array(fc.string()), fc.anything()),
      outcome: fc.oneof(fc.constant({ status: 'succeeded' }), fc.record({ status: fc.anything(), error: fc.anything() }), fc.anything()),
      result: field,
      detail: field,
      choice: field,
      mode: field,
      maxPerHost: fc.oneof(fc.integer(), fc.anything()),
      progress: fc.oneof(fc.record({ fraction: fc.double() }), fc.anything()),
      proposal: fc.anything(),
    });
    fc.assert(
      fc.property(fc.nat(runs.length - 1), event, (i, e) => {
        const r = runs[i] as Run;
        const t = transition(r, e as unknown as ExecEvent);
        if (t.refused !== undefined) {
          expect(t.run).toBe(r);
          expect(t.commands).toEqual([]);
        }
        expect(() => JSON.stringify(t.run)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses malformed events', () => {
    const r = startedApproved();
    const bad = [{ type: 'nonsense', at: 1 }, { type: 'approve', at: 1, by: OP }, { type: 'verified', at: 1, stepId: 's1', result: 'maybe', detail: '' }, { type: 'skip', at: 1, by: OP, stepId: 42 }];
    for (const e of bad) expect(transition(r, e as unknown as ExecEvent).refused).toBeTypeOf('string');
  });
});
