import { describe, expect, it } from 'vitest';

import {
  InstanceJsonSchema,
  PROCEDURE_NAMES,
  PlanWithIdsSchema,
  RunSchema,
  decodeInstance,
  findNonJson,
  parseMessage,
  parseOutput,
  parseRequest,
  parseWith,
  procedureOfChannel,
  channelOf,
} from '../../src/contract/index.js';
import { type Parsed, encodeInstance } from '../../src/contract/index.js';
import { RUN, seedInstance } from './samples.js';

/** The refusal's message, after checking it is a located invalid-request error. */
function refusal(result: Parsed<unknown>): string {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.value)}`);
  const error = result.error;
  expect(error.code).toBe('invalid-request');
  if (error.path !== undefined) expect(error.message.startsWith(`${error.path}: `)).toBe(true);
  return error.message;
}

const compute = (options: unknown, extra: Record<string, unknown> = {}) => ({ requestId: 'q1', clusterId: 'lab', options, ...extra });

describe('malformed messages are refused with the path of the first bad value and what was expected', () => {
  it('a value of the wrong type', () => {
    expect(refusal(parseRequest('plan:compute', compute({ timeLimitS: 'ten' })))).toBe('$.input.options.timeLimitS: expected a finite number, got "ten"');
    expect(refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'approve', stepIds: 's1' } }))).toBe('$.input.event.stepIds: expected an array, got "s1"');
    expect(refusal(parseRequest('run:get', []))).toBe('$.input: expected an object, got an array');
    expect(refusal(parseRequest('plan:compute', compute({ maxConcurrent: 1.5 })))).toBe('$.input.options.maxConcurrent: expected an integer, got 1.5');
    expect(refusal(parseRequest('plan:compute', compute({ maxConcurrent: 0 })))).toBe('$.input.options.maxConcurrent: expected a number at least 1, got 0');
    expect(refusal(parseRequest('plan:compute', compute({ objective: 'fast' })))).toBe("$.input.options.objective: expected one of 'mttr', 'migrations', 'memory', got \"fast\"");
  });

  it('a missing field', () => {
    expect(refusal(parseRequest('run:get', {}))).toBe('$.input.runId: missing, expected a string');
    expect(refusal(parseRequest('run:event', { runId: 'r1', event: { type: 'pause' } }))).toBe('$.input.revision: missing, expected a finite number');
    expect(refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'skip', stepId: 's1' } }))).toBe('$.input.event.reason: missing, expected a string');
    expect(refusal(parseRequest('cluster:snapshot', undefined))).toBe('$.input: missing, expected an object');
  });

  it('NaN and the infinities, anywhere (JSON would turn them into null silently)', () => {
    expect(refusal(parseRequest('plan:compute', compute({ timeLimitS: Number.NaN })))).toBe('$.input.options.timeLimitS: expected a finite number, got NaN');
    expect(refusal(parseRequest('plan:compute', compute({ windowSeconds: Number.POSITIVE_INFINITY })))).toBe('$.input.options.windowSeconds: expected a finite number, got Infinity');
    // deep inside the opaque instance JSON
    const instance = encodeInstance(seedInstance()) as unknown as { model: { views: { vms: Record<string, number> }[] } };
    (instance.model.views[0] as { vms: Record<string, number> }).vms['3'] = Number.NEGATIVE_INFINITY;
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', instance }))).toBe('$.input.instance.model.views[0].vms["3"]: expected a finite number, got -Infinity');
    // in an output (dev/test check of what a service sends)
    expect(refusal(parseOutput('run:get', { run: { ...RUN, steps: [{ ...RUN.steps[0], memoryMiB: Number.NaN }] }, progress: null }))).toBe('$.value.run.steps[0].memoryMiB: expected a finite number, got NaN');
  });

  it('an unknown procedure, listing the known ones (with a guess for a typo)', () => {
    const typo = parseRequest('plan:compte', {});
    expect(refusal(typo)).toBe(`$.name: unknown procedure "plan:compte" (did you mean plan:compute?); known procedures: ${PROCEDURE_NAMES.join(', ')}`);
    expect(typo.ok ? null : typo.error.details).toEqual({ known: PROCEDURE_NAMES });
    expect(refusal(parseRequest('shell:exec', {}))).toContain('$.name: unknown procedure "shell:exec"; known procedures: cluster:list, ');
    expect(refusal(parseRequest(42, {}))).toContain('$.name: expected a procedure name, got 42');
    // inherited names are not procedures
    expect(refusal(parseRequest('toString', {}))).toContain('unknown procedure "toString"');
    expect(refusal(parseRequest('__proto__', {}))).toContain('unknown procedure "__proto__"');
  });

  it("an operator sending an event only the service produces (effect-ended) through run:event", () => {
    const message = refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'effect-ended', stepId: 's1', outcome: { status: 'succeeded' } } }));
    expect(message).toMatch(/^\$\.input\.event\.type: "effect-ended" is an event only the execution service produces; an operator may send one of 'approve-plan', 'start', 'approve', /);
    expect(refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'verified', stepId: 's1', result: 'done', detail: '' } }))).toContain('"verified" is an event only the execution service produces');
    expect(refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'frobnicate' } }))).toMatch(/^\$\.input\.event\.type: expected one of 'approve-plan', .*, got "frobnicate"$/);
    // the operator does not say who or when: the service does
    expect(refusal(parseRequest('run:event', { runId: 'r1', revision: 1, event: { type: 'pause', at: 1, by: 'mallory@evil' } }))).toBe('$.input.event.at: unexpected field (also "by")');
  });

  it('an unknown field (a misspelt option is not silently ignored)', () => {
    expect(refusal(parseRequest('plan:compute', compute({ timelimitS: 10 })))).toBe('$.input.options.timelimitS: unexpected field');
    expect(refusal(parseMessage({ name: 'run:get', input: { runId: 'r1' }, extra: 1 }))).toBe('$.extra: unexpected field (a request has name and input)');
  });

  it('plan:compute needs exactly one source: a cluster, an instance or an open instance', () => {
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1' }))).toBe(
      "$.input: missing the source: expected clusterId (a cluster's last read), instance (BtrPlace instance JSON) or instanceId (an instance:open answer)",
    );
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', clusterId: 'lab', instance: encodeInstance(seedInstance()) }))).toBe(
      '$.input: expected one of clusterId, instance or instanceId, not clusterId and instance',
    );
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', instanceId: 'i1', clusterId: 'lab' }))).toBe('$.input: expected one of clusterId, instance or instanceId, not clusterId and instanceId');
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', instance: { model: {}, constraints: [], objective: { id: 'minimizeEnergy' } } }))).toBe(
      "$.input.instance.objective.id: expected one of 'minimizeMTTR', 'minimizeMigrations', 'minimizeMTTRMigrationScheduling', got \"minimizeEnergy\"",
    );
  });

  it('an instance whose shape is JSON but whose content is not an instance: located by decodeInstance under the same path', () => {
    const json = encodeInstance(seedInstance()) as unknown as { model: { mapping: { onlineNodes: Record<string, { runningVMs: unknown[] }> } } };
    (json.model.mapping.onlineNodes['0'] as { runningVMs: unknown[] }).runningVMs[1] = 'VM2';
    const wire = InstanceJsonSchema.parse(json);
    const decoded = decodeInstance(wire, '$.input.instance');
    expect(decoded.ok ? '' : decoded.error.path).toBe('$.input.instance.model.mapping.onlineNodes["0"].runningVMs[1]');
  });

  it('values that are not JSON at all: undefined members, classes, cycles, __proto__', () => {
    expect(findNonJson({ a: [1, { b: undefined }] })).toEqual({ path: ['a', 1, 'b'], message: 'expected a JSON value, got nothing' });
    expect(findNonJson({ when: new Date(0) })).toEqual({ path: ['when'], message: 'expected a JSON value, got a Date' });
    expect(findNonJson({ jobs: new Map() })?.message).toBe('expected a JSON value, got a Map');
    const cyclic: Record<string, unknown> = { x: 1 };
    cyclic.self = { again: cyclic };
    expect(findNonJson(cyclic)).toEqual({ path: ['self', 'again'], message: 'expected a JSON value, got a cycle (an object inside itself)' });
    // a shared (not cyclic) object is fine: JSON.stringify copies it
    const shared = { n: 1 };
    expect(findNonJson({ a: shared, b: [shared, shared] })).toBeUndefined();
    const proto = JSON.parse('{"model": {"__proto__": {"mapping": 1}}, "constraints": [], "objective": {"id": "minimizeMTTR"}}') as unknown;
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', instance: proto }))).toBe("$.input.instance.model.__proto__: unexpected field (a '__proto__' member is never accepted)");
  });

  it('a deeply nested message does not overflow the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNonJson(deep)).toBeUndefined();
    expect(refusal(parseRequest('plan:compute', { requestId: 'q1', instance: { model: { deep }, constraints: [], objective: { id: 'minimizeMTTR' }, x: Number.NaN } }))).toBe('$.input.instance.x: expected a finite number, got NaN');
  });

  it('step ids must name each action once', () => {
    const plan = { origin: {}, actions: [{ id: 'bootNode', start: 0, end: 3, node: 1 }, { id: 'bootNode', start: 0, end: 3, node: 2 }] };
    expect(refusal(parseWith(PlanWithIdsSchema, { plan, stepIds: ['s1'] }))).toBe('$.stepIds: expected one id per action (2), got 1');
    expect(refusal(parseWith(PlanWithIdsSchema, { plan, stepIds: ['s1', 's1'] }))).toBe('$.stepIds[1]: expected unique step ids, got "s1" twice');
    expect(refusal(parseWith(PlanWithIdsSchema, { plan: { ...plan, actions: [{ id: 'bootNode', start: 4, end: 3, node: 1 }] }, stepIds: ['s1'] }))).toBe('$.plan.actions[0].end: expected start <= end');
  });

  it('outputs are checked too: a step state the executor does not have', () => {
    const bad = { ...RUN, steps: [{ ...RUN.steps[0], state: 'done' }] };
    expect(refusal(parseWith(RunSchema, bad, '$.value.run'))).toBe(
      "$.value.run.steps[0].state: expected one of 'pending', 'ready', 'awaiting-approval', 'held', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', got \"done\"",
    );
  });

  it('channels carry the app namespace; anything else is not a procedure', () => {
    expect(channelOf('run:event')).toBe('ferry:run:event');
    expect(procedureOfChannel('ferry:run:event')).toBe('run:event');
    expect(procedureOfChannel('run:event')).toBeUndefined();
    expect(procedureOfChannel('ferry:run:delete')).toBeUndefined();
  });
});
