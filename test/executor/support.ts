import { expect } from 'vitest';

import type { HostReading, InventorySnapshot, NamedAction, VmJob } from '../../src/cluster/ports.js';
import { freshStep, newRun, transition } from '../../src/executor/index.js';
import type { ApprovalMode, ExecCommand, ExecEvent, Run, Step, Transition } from '../../src/executor/index.js';
import type { Model } from '../../src/model/index.js';

/** Named action builders. */
export const mig = (vm: string, from: string, to: string): NamedAction => ({ kind: 'migrateVM', vm, from, to });
export const bootVm = (vm: string, node: string): NamedAction => ({ kind: 'bootVM', vm, node });
export const shutdownVm = (vm: string, node: string): NamedAction => ({ kind: 'shutdownVM', vm, node });
export const bootNode = (node: string): NamedAction => ({ kind: 'bootNode', node });
export const shutdownNode = (node: string): NamedAction => ({ kind: 'shutdownNode', node });

/** A fresh step `id` doing `action` over [start, end], after `dependsOn`. */
export function step(id: string, action: NamedAction, dependsOn: readonly string[] = [], start = 0, end = 10): Step {
  return freshStep({ id, action, plannedStart: start, plannedEnd: end, dependsOn, memoryMiB: 0 });
}

export function run(steps: readonly Step[], options: { maxPerHost?: number; mode?: ApprovalMode; windowSeconds?: number | null } = {}): Run {
  return newRun({
    runId: 'r1',
    clusterId: 'c1',
    steps,
    constraintHash: 'h1',
    maxPerHost: options.maxPerHost ?? 2,
    windowSeconds: options.windowSeconds ?? null,
    createdAt: 1000,
    ...(options.mode ? { mode: options.mode } : {}),
  });
}

export const OP = 'alice@console';

/** Applies `event`, expecting it to be accepted. */
export function ok(r: Run, event: ExecEvent): Transition {
  const t = transition(r, event);
  expect(t.refused, `${event.type} was refused`).toBeUndefined();
  return t;
}

/** Applies the events in turn, each expected to be accepted; returns the last transition. */
export function okAll(r: Run, events: readonly ExecEvent[]): Transition {
  let t: Transition = { run: r, commands: [] };
  for (const e of events) t = ok(t.run, e);
  return t;
}

/** Applies `event`, expecting a refusal that leaves the run untouched; returns the refusal. */
export function refused(r: Run, event: ExecEvent): string {
  const t = transition(r, event);
  expect(t.refused, `${event.type} was accepted`).toBeTypeOf('string');
  expect(t.run).toBe(r);
  expect(t.commands).toEqual([]);
  return t.refused as string;
}

export function stepOf(r: Run, id: string): Step {
  const s = r.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

export function states(r: Run): Record<string, string> {
  return Object.fromEntries(r.steps.map((s) => [s.id, s.phase ? `${s.state}/${s.phase}` : s.state]));
}

export function commandsOf(t: Transition, type: ExecCommand['type']): ExecCommand[] {
  return t.commands.filter((c) => c.type === type);
}

/** Drives a running step through preflight, effect and verification to success. */
export function succeed(r: Run, id: string, at = 5000): Transition {
  return okAll(r, [
    { type: 'preflight-ok', at, stepId: id },
    { type: 'effect-ended', at, stepId: id, outcome: { status: 'succeeded' } },
    { type: 'verified', at, stepId: id, result: 'done', detail: 'ok' },
  ]);
}

export function snapshot(model: Model, options: { hosts?: readonly HostReading[]; jobs?: ReadonlyMap<string, VmJob> } = {}): InventorySnapshot {
  return { clusterId: 'c1', readAt: 1000, model, hosts: options.hosts ?? [], jobs: options.jobs ?? new Map() };
}
