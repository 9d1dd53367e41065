import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freshStep } from '../../src/executor/steps.js';
import type { NamedAction } from '../../src/cluster/ports.js';
import type { Run, Step } from '../../src/executor/types.js';
import type { RevisionRecord, RunMeta } from '../../src/report/journal-records.js';

/** Runs and steps built by hand: the journal stores whatever state the executor gives it. */

export const T0 = Date.UTC(2026, 11, 7, 11, 45, 2);
export const HASH1 = 'a'.repeat(64);
export const HASH2 = 'b'.repeat(64);

export function step(id: string, overrides: Partial<Step> = {}): Step {
  const n = Number(id.slice(1));
  const action: NamedAction = { kind: 'migrateVM', vm: `web${n}`, from: 'r1-h2', to: 'r2-h1' };
  return { ...freshStep({ id, action, plannedStart: 2 * (n - 1), plannedEnd: 2 * n, dependsOn: [], memoryMiB: 2048 }), state: 'awaiting-approval', ...overrides };
}

export function run(runId: string, steps: number, overrides: Partial<Run> = {}): Run {
  return {
    runId,
    clusterId: 'demo',
    revision: 1,
    state: 'draft',
    mode: 'manual',
    maxPerHost: 2,
    steps: Array.from({ length: steps }, (_, i) => step(`s${i + 1}`)),
    constraintHash: HASH1,
    windowSeconds: 3600,
    createdAt: T0,
    startedAt: null,
    endedAt: null,
    stopping: null,
    replan: null,
    reason: null,
    ...overrides,
  };
}

export const META: RunMeta = { createdBy: 'alice@ws1', script: 'spread({web1, web2});', scriptName: 'maintenance.btrp', options: { maxConcurrent: 2, windowSeconds: 3600 } };

export function revision(n = 1, overrides: Partial<RevisionRecord> = {}): RevisionRecord {
  return { revision: n, constraintHash: n === 1 ? HASH1 : HASH2, plan: { actions: [{ id: 'migrateVM', vm: 1 }] }, originFacts: { hosts: ['r1-h2', 'r2-h1'] }, createdAt: T0, reason: n === 1 ? 'initial plan' : 're-plan: drift', ...overrides };
}

/** Replaces one step of the run (by id). */
export function withStep(r: Run, id: string, change: Partial<Step>): Run {
  return { ...r, steps: r.steps.map((s) => (s.id === id ? { ...s, ...change } : s)) };
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
