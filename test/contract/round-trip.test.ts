import { beforeAll, describe, expect, it } from 'vitest';

import {
  ClusterSnapshotSchema,
  ErrorEnvelopeSchema,
  ExecCommandSchema,
  ExecEventSchema,
  InstanceJsonSchema,
  NamedActionSchema,
  OPERATOR_EVENT_TYPES,
  OperatorEventSchema,
  PROCEDURE_NAMES,
  PROCEDURES,
  PlanJsonSchema,
  PlanWithIdsSchema,
  RunProgressSchema,
  RunSchema,
  EffectOutcomeSchema,
  StepSchema,
  decodeInstance,
  decodePlan,
  fail,
  ok,
  parseOutput,
  parseReply,
  parseRequest,
  planResultToWire,
  snapshotToWire,
  stampOperatorEvent,
  withStepIds,
} from '../../src/contract/index.js';
import type { OperatorEvent, ProcedureName } from '../../src/contract/index.js';
import { stepsFromPlan } from '../../src/executor/steps.js';
import { planToJson } from '../../src/plan/json.js';
import type { z } from 'zod';
import { ACTIONS, COMMANDS, EVENTS, OUTCOMES, PROGRESS, RUN, STEPS, type Planned, procedureSamples, seedPlan } from './samples.js';

/** value → JSON text → value → schema: what a transport does to a message. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function expectRoundTrip(schema: z.ZodTypeAny, value: unknown): void {
  const received = overTheWire(value);
  const parsed = schema.safeParse(received);
  expect(parsed.success ? 'ok' : parsed.error.issues).toBe('ok');
  expect(parsed.data).toEqual(value);
}

let planned: Planned;
beforeAll(async () => {
  planned = await seedPlan();
});

describe('every message of the contract survives the wire unchanged', () => {
  it('executor state: actions, outcomes, steps, runs with a re-plan proposal, progress', () => {
    for (const a of ACTIONS) expectRoundTrip(NamedActionSchema, a);
    for (const o of OUTCOMES) expectRoundTrip(EffectOutcomeSchema, o);
    for (const s of STEPS) expectRoundTrip(StepSchema, s);
    expectRoundTrip(RunSchema, RUN);
    expectRoundTrip(RunSchema, { ...RUN, replan: null, state: 'succeeded', endedAt: RUN.createdAt + 1, reason: 'all steps succeeded' });
    expectRoundTrip(RunProgressSchema, PROGRESS);
    expectRoundTrip(RunProgressSchema, { ...PROGRESS, estimatedEnd: null, fitsWindow: null });
  });

  it('every ExecEvent type, and every ExecCommand', () => {
    for (const e of Object.values(EVENTS)) expectRoundTrip(ExecEventSchema, e);
    for (const c of COMMANDS) expectRoundTrip(ExecCommandSchema, c);
  });

  it('operator events: each operator type travels without at/by and becomes the ExecEvent the service stamps', () => {
    for (const type of OPERATOR_EVENT_TYPES) {
      const { at, by, ...sent } = EVENTS[type] as { at: number; by: string; type: string };
      expectRoundTrip(OperatorEventSchema, sent);
      expect(stampOperatorEvent(sent as OperatorEvent, at, by)).toEqual(EVENTS[type]);
    }
  });

  it('a real instance (examples/seed.json) and a real plan keep their meaning', () => {
    expectRoundTrip(InstanceJsonSchema, planned.instanceJson);
    const instance = decodeInstance(InstanceJsonSchema.parse(overTheWire(planned.instanceJson)));
    expect(instance.ok && instance.value.model.equals(planned.instance.model)).toBe(true);

    expectRoundTrip(PlanJsonSchema, planned.planJson);
    const plan = decodePlan(PlanJsonSchema.parse(overTheWire(planned.planJson)));
    expect(plan.ok && planToJson(plan.value)).toEqual(planned.planJson);
  });

  it('a plan with step ids: the ids name the same actions as the executor steps', () => {
    const plan = planned.result.plan;
    if (!plan) throw new Error('no plan');
    const withIds = withStepIds(plan);
    expectRoundTrip(PlanWithIdsSchema, withIds);
    const steps = stepsFromPlan(plan);
    expect(withIds.stepIds).toEqual(steps.map((s) => s.id));
    expect(withIds.plan.actions.map((a) => [a.start, a.end])).toEqual(steps.map((s) => [s.plannedStart, s.plannedEnd]));
  });

  it('a snapshot from an InventorySnapshot (Map of jobs → record)', () => {
    const wire = snapshotToWire({
      clusterId: 'lab',
      readAt: 1,
      model: planned.instance.model,
      hosts: [{ name: 'N1', readAt: 1, reachable: true }],
      jobs: new Map([['VM1', { kind: 'migrate', to: 'N2', startedAt: 1, fraction: 0.5 }]]),
    });
    expectRoundTrip(ClusterSnapshotSchema, wire);
    expect(wire.jobs).toEqual({ VM1: { kind: 'migrate', to: 'N2', startedAt: 1, fraction: 0.5 } });
  });

  it('plan results: NaN (no plan) travels as null, never as NaN', () => {
    const wire = planResultToWire({ ...planned.result, plan: undefined, status: 'infeasible', objective: Number.NaN, gap: Number.NaN } as never);
    expect(wire.objective).toBeNull();
    expect(wire.gap).toBeNull();
    expect(JSON.stringify(wire)).not.toContain('NaN');
  });

  it('every procedure: inputs through parseRequest, outputs through parseOutput and in reply envelopes', () => {
    const samples = procedureSamples(planned);
    expect(Object.keys(samples).sort()).toEqual([...PROCEDURE_NAMES].sort());
    for (const name of PROCEDURE_NAMES) {
      const { inputs, outputs } = samples[name] as { inputs: readonly unknown[]; outputs: readonly unknown[] };
      expect(inputs.length, name).toBeGreaterThan(0);
      expect(outputs.length, name).toBeGreaterThan(0);
      for (const input of inputs) {
        const request = parseRequest(name, overTheWire(input));
        expect(request, name).toEqual({ ok: true, value: { name, input } });
      }
      for (const output of outputs) {
        expect(parseOutput(name as ProcedureName, overTheWire(output)), name).toEqual({ ok: true, value: output });
        if (PROCEDURES[name].kind !== 'subscription') expect(parseReply(name as ProcedureName, overTheWire(ok(output)))).toEqual({ ok: true, value: ok(output) });
      }
    }
  });

  it('error envelopes', () => {
    const envelope = fail('conflict', 'cluster lab is held by run r-20251206-1', { details: { runId: 'r-20251206-1' } });
    expectRoundTrip(ErrorEnvelopeSchema, envelope);
    expect(parseReply('run:create', overTheWire(envelope))).toEqual({ ok: true, value: envelope });
    expectRoundTrip(ErrorEnvelopeSchema, fail('invalid-request', '$.input.runId: missing, expected a string', { path: '$.input.runId' }));
  });
});
