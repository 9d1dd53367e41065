import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { EffectOutcome, NamedAction } from '../../src/cluster/ports.js';
import { diffPlans, freshStep, isFinal, newRun, nextStepNumber, transition } from '../../src/executor/index.js';
import type { ExecCommand, ExecEvent, ReplanProposal, Run, Step } from '../../src/executor/index.js';
import { Random } from '../../src/solver/random.js';

/**
 * The executor against a simulated service: random DAG plans, random operator events, and an
 * environment that answers the commands (well or badly) and crashes at random points. Then an
 * operator that approves and chooses, and an environment that answers well, must drive every run
 * to a final state.
 */

/** The project's seeded generator (mulberry32), seeded by fast-check. */
function rng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const NODES = ['N1', 'N2', 'N3', 'N4'];

function randomAction(r: () => number, i: number): NamedAction {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const from = pick(NODES);
  const to = pick(NODES.filter((n) => n !== from));
  switch (Math.floor(r() * 5)) {
    case 0:
      return { kind: 'bootNode', node: from };
    case 1:
      return { kind: 'shutdownNode', node: from };
    case 2:
      return { kind: 'bootVM', vm: `VM${i}`, node: from };
    case 3:
      return { kind: 'forgeVM', vm: `VM${i}` };
    default:
      return { kind: 'migrateVM', vm: `VM${i}`, from, to };
  }
}

function randomRun(r: () => number): Run {
  const n = 1 + Math.floor(r() * 7);
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const dependsOn = steps.filter(() => r() < 0.3).map((s) => s.id);
    const start = Math.floor(r() * 20);
    steps.push(freshStep({ id: `s${i + 1}`, action: randomAction(r, i), plannedStart: start, plannedEnd: start + Math.floor(r() * 20), dependsOn, memoryMiB: 0 }));
  }
  return newRun({ runId: 'run', clusterId: 'c', steps, constraintHash: 'h1', maxPerHost: 1 + Math.floor(r() * 2), windowSeconds: null, createdAt: 0, mode: r() < 0.3 ? 'unattended' : 'manual' });
}

/** A re-plan keeping a random part of the unfinished steps (fresh ids, as stepsFromPlan gives), maybe adding one. */
function propose(run: Run, r: () => number): ReplanProposal {
  const unfinished = run.steps.filter((s) => s.state !== 'succeeded' && s.state !== 'skipped' && s.state !== 'cancelled');
  const chosen = unfinished.filter(() => r() < 0.7);
  const next = nextStepNumber(run);
  const ids = new Map(chosen.map((s, i) => [s.id, `s${next + i}`]));
  const steps = chosen.map((s) =>
    freshStep({ id: ids.get(s.id) as string, action: s.action, plannedStart: s.plannedStart, plannedEnd: s.plannedEnd, dependsOn: s.dependsOn.filter((d) => ids.has(d)).map((d) => ids.get(d) as string), memoryMiB: 0 }),
  );
  if (r() < 0.3) steps.push(freshStep({ id: `s${next + chosen.length}`, action: { kind: 'bootNode', node: 'N9' }, plannedStart: 0, plannedEnd: 3, dependsOn: [], memoryMiB: 0 }));
  const diff = diffPlans(run, steps);
  return { revision: run.revision + 1, reason: 'drift', steps: diff.steps, diff: diff.diff, constraintHash: `h${run.revision + 1}` };
}

const PHASE_COMMAND = { preflight: 'preflight', executing: 'perform', verifying: 'verify' } as const;

/** The service as the executor sees it: outstanding commands, and the invariants checked after each event. */
class Simulation {
  run: Run;
  pending: ExecCommand[] = [];
  at = 1;
  events = 0;
  private readonly performed = new Set<string>();
  private readonly everSucceeded = new Set<string>();

  constructor(run: Run) {
    this.run = run;
  }

  send(event: ExecEvent): void {
    const before = this.run;
    const t = transition(before, event);
    this.events++;
    if (t.refused !== undefined) {
      expect(t.run).toBe(before);
      expect(t.commands).toEqual([]);
      return;
    }
    this.run = t.run;
    for (const c of t.commands) this.issued(c, before);
    this.check(before);
  }

  time(): number {
    this.at += 1 + Math.floor(this.at % 7) * 100;
    return this.at;
  }

  /** Removes and returns the outstanding command at `index`. */
  take(index: number): ExecCommand | undefined {
    return this.pending.splice(index, 1)[0];
  }

  crash(): void {
    this.pending = [];
    this.send({ type: 'recovered', at: this.time(), by: 'ferry' });
  }

  private issued(c: ExecCommand, before: Run): void {
    if (c.type === 'perform') {
      // one perform per attempt, never for a step that already succeeded
      expect(this.performed.has(c.requestId), `second perform ${c.requestId}`).toBe(false);
      expect(this.everSucceeded.has(c.stepId), `perform of ${c.stepId} after it succeeded`).toBe(false);
      this.performed.add(c.requestId);
      const was = before.steps.find((s) => s.id === c.stepId);
      expect(was?.phase).toBe('preflight');
    }
    this.pending.push(c);
  }

  private check(before: Run): void {
    const byId = new Map(this.run.steps.map((s) => [s.id, s]));
    const wasExecuting = new Set(before.steps.filter((s) => s.phase === 'executing').map((s) => s.id));
    for (const s of this.run.steps) {
      if (s.phase === 'executing' && !wasExecuting.has(s.id)) {
        for (const d of s.dependsOn) expect(byId.get(d)?.state, `${s.id} executes before ${d} succeeded`).toBe('succeeded');
      }
      if (s.state === 'running') {
        expect(s.phase).not.toBeNull();
        const wanted = PHASE_COMMAND[s.phase ?? 'preflight'];
        expect(
          this.pending.some((c) => c.type === wanted && c.stepId === s.id),
          `${s.id} is ${s.phase} with no ${wanted} command outstanding`,
        ).toBe(true);
      } else expect(s.phase).toBeNull();
      if (s.state === 'succeeded') this.everSucceeded.add(s.id);
    }
    for (const id of this.everSucceeded) expect(byId.get(id)?.state, `${id} succeeded then changed`).toBe('succeeded');
    expect(this.run.steps.filter((s) => s.state === 'running').every((s) => s.state === 'running' && s.phase !== null)).toBe(true);
    if (isFinal(this.run)) expect(this.run.steps.every((s) => s.state === 'succeeded' || s.state === 'skipped' || s.state === 'cancelled')).toBe(true);
  }
}

const OUTCOMES: readonly EffectOutcome[] = [{ status: 'succeeded' }, { status: 'failed', error: 'boom' }, { status: 'timed-out', error: 'slow' }, { status: 'cancelled' }];

/** Answers one outstanding command, well or badly. */
function answerRandomly(sim: Simulation, r: () => number): void {
  const c = sim.take(Math.floor(r() * sim.pending.length));
  if (!c) return;
  const at = sim.time();
  const roll = r();
  switch (c.type) {
    case 'preflight':
      if (roll < 0.6) sim.send({ type: 'preflight-ok', at, stepId: c.stepId });
      else if (roll < 0.8) sim.send({ type: 'preflight-drift', at, stepId: c.stepId, drift: ['VM moved'] });
      else sim.send({ type: 'preflight-blocked', at, stepId: c.stepId, reason: 'host not answering' });
      return;
    case 'perform':
      if (roll < 0.3) {
        sim.pending.push(c);
        sim.send({ type: 'effect-progress', at, stepId: c.stepId, progress: { fraction: r() } });
      } else sim.send({ type: 'effect-ended', at, stepId: c.stepId, outcome: OUTCOMES[Math.floor(r() * OUTCOMES.length)] as EffectOutcome });
      return;
    case 'verify':
      sim.send({ type: 'verified', at, stepId: c.stepId, result: roll < 0.5 ? 'done' : roll < 0.75 ? 'in-flight' : 'not-done', detail: 'read' });
      return;
    case 'replan':
      if (roll < 0.7) sim.send({ type: 'replan-proposed', at, proposal: propose(sim.run, r) });
      else sim.send({ type: 'replan-failed', at, reason: 'no placement' });
      return;
    case 'cancel':
      return;
  }
}

/** A random operator event (or a confused service's), step ids included that do not exist. */
function operatorRandomly(sim: Simulation, r: () => number): void {
  const at = sim.time();
  const by = 'op@console';
  const ids = [...sim.run.steps.map((s) => s.id), 's99'];
  const stepId = ids[Math.floor(r() * ids.length)] as string;
  const events: ExecEvent[] = [
    { type: 'approve-plan', at, by },
    { type: 'start', at, by },
    { type: 'start', at, by },
    { type: 'approve', at, by, stepIds: [stepId] },
    { type: 'approve-ready', at, by },
    { type: 'approve-ready', at, by },
    { type: 'set-mode', at, by, mode: r() < 0.5 ? 'manual' : 'unattended', maxPerHost: Math.floor(r() * 3) },
    { type: 'skip', at, by, stepId, reason: r() < 0.2 ? '' : 'not needed' },
    { type: 'hold', at, by, stepId },
    { type: 'release', at, by, stepId },
    { type: 'pause', at, by },
    { type: 'resume', at, by },
    { type: 'failure-choice', at, by, stepId, choice: (['retry', 'skip', 'replan', 'stop'] as const)[Math.floor(r() * 4)] ?? 'retry' },
    { type: 'failure-choice', at, by, stepId, choice: 'retry' },
    { type: 'replan-accepted', at, by },
    { type: 'replan-rejected', at, by },
    { type: 'verified', at, stepId, result: 'in-flight', detail: 'stale' },
    { type: 'preflight-ok', at, stepId },
    { type: 'effect-ended', at, stepId, outcome: { status: 'succeeded' } },
  ];
  if (r() < 0.03) events.push({ type: 'abort', at, by }, { type: 'supersede', at, by, reason: 'newer plan' });
  sim.send(events[Math.floor(r() * events.length)] as ExecEvent);
}

/** The next well-behaved move: answer the oldest command well, else what a diligent operator does. */
function driveWell(sim: Simulation): boolean {
  const at = sim.time();
  const c = sim.take(0);
  if (c) {
    if (c.type === 'preflight') sim.send({ type: 'preflight-ok', at, stepId: c.stepId });
    else if (c.type === 'perform') sim.send({ type: 'effect-ended', at, stepId: c.stepId, outcome: { status: 'succeeded' } });
    else if (c.type === 'verify') sim.send({ type: 'verified', at, stepId: c.stepId, result: 'done', detail: 'read' });
    else if (c.type === 'replan') sim.send({ type: 'replan-proposed', at, proposal: propose(sim.run, rng(at)) });
    return true;
  }
  const run = sim.run;
  const by = 'op@console';
  const failed = run.steps.find((s) => s.state === 'failed');
  const held = run.steps.find((s) => s.state === 'held');
  if (run.state === 'draft' || run.state === 'approved') sim.send({ type: 'start', at, by });
  else if (run.state === 'paused') sim.send({ type: 'resume', at, by });
  else if (run.replan !== null) {
    const before = sim.run;
    sim.send({ type: 'replan-accepted', at, by });
    if (sim.run === before) sim.send({ type: 'replan-rejected', at, by });
  } else if (failed) sim.send({ type: 'failure-choice', at, by, stepId: failed.id, choice: failed.attempts < 3 ? 'retry' : 'skip' });
  else if (run.steps.some((s) => s.state === 'awaiting-approval')) sim.send({ type: 'approve-ready', at, by });
  else if (held) sim.send({ type: 'release', at, by, stepId: held.id });
  else return false;
  return true;
}

const reached: Record<string, number> = {};

/** Counts what a finished run went through. */
function seen(run: Run): void {
  const bump = (what: string): void => void (reached[what] = (reached[what] ?? 0) + 1);
  bump(run.state);
  if (run.revision > 1) bump('revised');
  if (run.steps.some((s) => s.attempts > 1)) bump('retried');
  if (run.steps.some((s) => s.reason?.startsWith('dropped by re-plan'))) bump('dropped by re-plan');
  if (run.steps.some((s) => /^blocked by (skipped|cancelled)/.test(s.reason ?? ''))) bump('blocked by a skipped step');
}

describe('executor property: random plans, operators, environments and crashes', () => {
  it('never executes before prerequisites, never performs twice, never loses a running step, always ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 80 }), (seed, prefix) => {
        const r = rng(seed);
        const sim = new Simulation(randomRun(r));
        for (let i = 0; i < prefix && !isFinal(sim.run); i++) {
          const roll = r();
          if (roll < 0.05) sim.crash();
          else if (roll < 0.5 && sim.pending.length > 0) answerRandomly(sim, r);
          else operatorRandomly(sim, r);
        }
        // a crash at the end of the prefix sometimes, then a well-behaved world
        if (r() < 0.3) sim.crash();
        const bound = sim.events + 2000;
        while (!isFinal(sim.run) && sim.events < bound) {
          if (!driveWell(sim)) break;
        }
        expect(isFinal(sim.run), `stuck in ${sim.run.state}: ${JSON.stringify(sim.run.steps.map((s) => [s.id, s.state, s.phase, s.dependsOn]))}`).toBe(true);
        seen(sim.run);
      }),
      { numRuns: 300 },
    );
    // the exploration reaches the interesting places (loose bounds: the seed differs every run)
    for (const what of ['succeeded', 'failed', 'cancelled', 'revised', 'retried', 'dropped by re-plan', 'blocked by a skipped step']) expect(reached[what] ?? 0, what).toBeGreaterThan(3);
  });
});
