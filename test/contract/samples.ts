import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { freshStep } from '../../src/executor/steps.js';
import type { EffectOutcome, NamedAction } from '../../src/cluster/ports.js';
import type { InstanceJson, OutputOf, InputOf, PlanJson, ProcedureName } from '../../src/contract/index.js';
import { encodeInstance, planResultToWire, progressToWire } from '../../src/contract/index.js';
import { parseScript } from '../../src/dsl/script.js';
import type { ExecCommand, ExecEvent, ExecEventType, Run, RunProgress, Step } from '../../src/executor/types.js';
import type { Instance } from '../../src/instance/instance.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { planToJson } from '../../src/plan/json.js';
import { type PlanProgress, type PlanResult, plan } from '../../src/solver/planner.js';

/**
 * One sample of every message of the contract, built from real data: examples/seed.json read by
 * the instance reader, and a plan computed for it with examples/seed.btrp. The sample tables are
 * typed by procedure name and event type, so a procedure or an event type without a sample does
 * not compile.
 */

const ROOT = join(import.meta.dirname, '..', '..');

export function seedInstance(): Instance {
  const read = parseInstanceText(readFileSync(join(ROOT, 'examples', 'seed.json'), 'utf8'));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

export function seedScript(): string {
  return readFileSync(join(ROOT, 'examples', 'seed.btrp'), 'utf8');
}

export interface Planned {
  readonly instance: Instance;
  readonly instanceJson: InstanceJson;
  readonly result: PlanResult;
  readonly progress: PlanProgress[];
  readonly planJson: PlanJson;
}

/** A real plan of the seed (native search only, in-process). */
export async function seedPlan(): Promise<Planned> {
  const instance = seedInstance();
  const script = parseScript(seedScript(), { model: instance.model.clone() });
  const progress: PlanProgress[] = [];
  const result = await plan(instance, { extraConstraints: script.constraints, timeLimitMs: 2_000, solver: 'native', onProgress: (p) => progress.push(p) });
  if (!result.plan) throw new Error('the seed has a plan');
  return { instance, instanceJson: encodeInstance(instance), result, progress, planJson: planToJson(result.plan) as PlanJson };
}

const at = 1_765_000_000_000;
const by = 'alice@ws1';

export const ACTIONS: readonly NamedAction[] = [
  { kind: 'migrateVM', vm: 'VM3', from: 'N1', to: 'N2' },
  { kind: 'bootVM', vm: 'VM7', node: 'N2' },
  { kind: 'shutdownVM', vm: 'VM8', node: 'N3' },
  { kind: 'suspendVM', vm: 'VM9', from: 'N1', to: 'N1' },
  { kind: 'resumeVM', vm: 'VM9', from: 'N1', to: 'N2' },
  { kind: 'killVM', vm: 'VM10', node: null },
  { kind: 'killVM', vm: 'VM11', node: 'N4' },
  { kind: 'forgeVM', vm: 'VM12' },
  { kind: 'bootNode', node: 'N5' },
  { kind: 'shutdownNode', node: 'N4' },
  { kind: 'allocate', vm: 'VM1', node: 'N1', rc: 'cpu', amount: 3 },
];

export const OUTCOMES: readonly EffectOutcome[] = [{ status: 'succeeded' }, { status: 'failed', error: 'host N2 refused: no room' }, { status: 'timed-out', error: 'no answer in 600 s' }, { status: 'cancelled' }];

export function step(id: string, action: NamedAction, overrides: Partial<Step> = {}): Step {
  return { ...freshStep({ id, action, plannedStart: 0, plannedEnd: 2, dependsOn: [], memoryMiB: 2048 }), ...overrides };
}

export const STEPS: readonly Step[] = [
  step('s1', ACTIONS[0] as NamedAction, {
    state: 'running',
    phase: 'executing',
    approved: true,
    approvedBy: by,
    attempts: 1,
    progress: { fraction: 0.42, bytesMoved: 901_775_360, bytesTotal: 2_147_483_648, secondsLeft: 3.5, message: 'copying memory' },
    startedAt: at,
  }),
  step('s2', ACTIONS[1] as NamedAction, { dependsOn: ['s1'], plannedStart: 2, plannedEnd: 4, memoryMiB: 0, progress: { fraction: 0, secondsLeft: null } }),
  step('s3', ACTIONS[9] as NamedAction, { state: 'held', reason: 'N4 reports a VM not in the plan', heldBy: 'drift', memoryMiB: 0 }),
  step('s4', ACTIONS[2] as NamedAction, { state: 'failed', attempts: 2, reason: 'the hypervisor refused', startedAt: at, endedAt: at + 1500, lastOutcome: OUTCOMES[1] as EffectOutcome }),
];

export const PROGRESS: RunProgress = { total: 4, succeeded: 0, skipped: 0, failed: 1, running: 1, remaining: 3, secondsLeft: 6, estimatedEnd: at + 6000, fitsWindow: true };

export const RUN: Run = {
  runId: 'r-20251206-1',
  clusterId: 'lab',
  revision: 2,
  state: 'running',
  mode: 'manual',
  maxPerHost: 2,
  steps: STEPS,
  constraintHash: 'sha256:0f3a',
  windowSeconds: 3600,
  createdAt: at - 60_000,
  startedAt: at - 30_000,
  endedAt: null,
  stopping: null,
  replan: {
    revision: 3,
    reason: 'N4 drifted',
    steps: [step('s1', ACTIONS[0] as NamedAction), step('s5', ACTIONS[4] as NamedAction)],
    diff: { kept: ['s1'], dropped: ['s3'], added: ['s5'] },
    constraintHash: 'sha256:0f3a',
  },
  reason: null,
};

/** One event of every type. */
export const EVENTS: { readonly [T in ExecEventType]: Extract<ExecEvent, { type: T }> } = {
  'approve-plan': { type: 'approve-plan', at, by },
  start: { type: 'start', at, by },
  approve: { type: 'approve', at, by, stepIds: ['s1', 's2'] },
  'approve-ready': { type: 'approve-ready', at, by },
  'set-mode': { type: 'set-mode', at, by, mode: 'unattended', maxPerHost: 3 },
  skip: { type: 'skip', at, by, stepId: 's4', reason: 'done by hand' },
  hold: { type: 'hold', at, by, stepId: 's2', reason: 'waiting for the DBA' },
  release: { type: 'release', at, by, stepId: 's2' },
  pause: { type: 'pause', at, by },
  resume: { type: 'resume', at, by },
  abort: { type: 'abort', at, by },
  'preflight-ok': { type: 'preflight-ok', at, stepId: 's1' },
  'preflight-drift': { type: 'preflight-drift', at, stepId: 's3', drift: ['VM13 appeared on N4'] },
  'preflight-blocked': { type: 'preflight-blocked', at, stepId: 's3', reason: 'N4 does not answer' },
  'effect-progress': { type: 'effect-progress', at, stepId: 's1', progress: { fraction: 0.5 } },
  'effect-ended': { type: 'effect-ended', at, stepId: 's1', outcome: { status: 'succeeded' } },
  verified: { type: 'verified', at, stepId: 's1', result: 'in-flight', detail: 'VM3 still on N1, migration 80 %' },
  'failure-choice': { type: 'failure-choice', at, by, stepId: 's4', choice: 'retry' },
  'replan-proposed': { type: 'replan-proposed', at, proposal: RUN.replan as NonNullable<Run['replan']> },
  'replan-failed': { type: 'replan-failed', at, reason: 'no plan from the live state' },
  'replan-accepted': { type: 'replan-accepted', at, by },
  'replan-rejected': { type: 'replan-rejected', at, by },
  supersede: { type: 'supersede', at, by, reason: 'a newer plan' },
  recovered: { type: 'recovered', at, by: 'ferry' },
};

export const COMMANDS: readonly ExecCommand[] = [
  { type: 'preflight', stepId: 's1' },
  { type: 'perform', stepId: 's1', requestId: 'r-20251206-1:s1:1' },
  { type: 'cancel', stepId: 's1' },
  { type: 'verify', stepId: 's1', delayMs: 2000 },
  { type: 'replan', reason: 'drift on N4' },
];

const infeasible: PlanResult = {
  status: 'infeasible',
  objective: Number.NaN,
  lowerBound: 0,
  gap: Number.NaN,
  durationSeconds: Number.NaN,
  durationLowerBound: Number.NaN,
  migrations: Number.NaN,
  migrationsLowerBound: 2,
  memoryMovedMiB: Number.NaN,
  solveMs: 12,
  explanation: ['not enough cpu'],
  notes: [],
};

/** One input and one output of every procedure (several where the shapes differ). */
export function procedureSamples(planned: Planned): { readonly [N in ProcedureName]: { readonly inputs: readonly InputOf<N>[]; readonly outputs: readonly OutputOf<N>[] } } {
  const snapshot = {
    clusterId: 'lab',
    readAt: at,
    instance: planned.instanceJson,
    hosts: [
      { name: 'N1', readAt: at, reachable: true, rack: 'r1' },
      { name: 'N4', readAt: at - 5000, reachable: false, error: 'ssh: connection refused' },
    ],
    jobs: { VM3: { kind: 'migrate' as const, to: 'N2', startedAt: at, fraction: 0.2, requestId: 'r-20251206-1:s1:1' } },
  };
  const warning = { severity: 'warning' as const, line: 2, column: 1, endLine: 2, endColumn: 9, message: 'preserve on a VM already satisfying it', code: 'constraint-rejected' as const };
  const error = { severity: 'error' as const, line: 3, column: 5, endLine: 3, endColumn: 8, message: "unknown VM 'VM9'; did you mean VM1?", suggestion: 'VM1', code: 'unknown-vm' as const };
  const script = { text: seedScript(), name: 'seed.btrp' };
  const runWithProgress = { run: RUN, progress: PROGRESS };
  const pastPlan = {
    planId: 'p20251206-054640-3fa9c2d1',
    requestId: 'q1',
    computedAt: at,
    source: { kind: 'cluster' as const, name: 'lab' },
    scriptName: 'seed.btrp',
    constraintHash: 'sha256:ab12',
    status: 'feasible' as const,
    steps: 3,
    migrations: 2,
    durationSeconds: 40,
    memoryMovedMiB: 4096,
    objective: 40,
    lowerBound: 30,
    gap: 0.25,
    provenOptimal: false,
    explanation: [],
    runIds: [RUN.runId],
  };
  const summary = { runId: RUN.runId, clusterId: 'lab', revision: 2, state: 'running' as const, mode: 'manual' as const, createdAt: at, startedAt: at, endedAt: null, reason: null, progress: PROGRESS };
  return {
    'cluster:list': { inputs: [{}], outputs: [{ clusters: [{ clusterId: 'lab', label: 'lab (4 hosts)', provider: 'demo', readAt: at, nodes: 4, vms: 6, heldBy: null }] }, { clusters: [] }] },
    'cluster:snapshot': { inputs: [{ clusterId: 'lab' }, { clusterId: 'lab', scope: { nodes: ['N1'], vms: ['VM3'] } }], outputs: [snapshot] },
    'cluster:refresh': { inputs: [{ clusterId: 'lab', scope: { nodes: ['N4'] } }], outputs: [snapshot] },
    'cluster:add-config': {
      inputs: [{ path: '/srv/ferry/lab.yaml' }],
      outputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml', name: 'lab', file: '/srv/ferry/lab.yaml', hosts: [{ name: 'hv1', address: '10.99.0.21', port: 22, user: 'root', rack: 'r1' }, { name: 'hv2', address: 'hv2', port: null, user: null, rack: null }] }],
    },
    'cluster:test': {
      inputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml' }],
      outputs: [
        {
          clusterId: 'libvirt:/srv/ferry/lab.yaml',
          hosts: [
            { host: 'hv1', reachable: true, error: null, unknownHostKey: null, hostKeyChanged: false, elapsedMs: 120 },
            { host: 'hv2', reachable: false, error: 'hv2 ([10.99.0.22]:22) shows an unknown ssh-ed25519 host key', unknownHostKey: { fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', keyType: 'ssh-ed25519' }, hostKeyChanged: false, elapsedMs: 80 },
          ],
        },
      ],
    },
    'cluster:trust-host-key': {
      inputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml', host: 'hv2', fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
      outputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml', host: 'hv2', knownHostsFile: '/root/.ssh/known_hosts' }],
    },
    'cluster:config-read': {
      inputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml' }],
      outputs: [{ clusterId: 'libvirt:/srv/ferry/lab.yaml', file: '/srv/ferry/lab.yaml', text: 'name: lab\nhosts:\n  - { name: hv1 }\n' }],
    },
    'cluster:config-save': {
      inputs: [{ file: '/srv/ferry/lab.yaml', text: 'name: lab\nhosts:\n  - { name: hv1 }\n' }, { file: '/srv/ferry/new.yaml', text: 'hosts: []\n', create: true }],
      outputs: [
        { saved: true, cluster: { clusterId: 'libvirt:/srv/ferry/lab.yaml', name: 'lab', file: '/srv/ferry/lab.yaml', hosts: [{ name: 'hv1', address: 'hv1', port: null, user: null, rack: null }] }, diagnostics: [] },
        { saved: false, cluster: null, diagnostics: [{ line: 1, column: 8, message: 'hosts: Array must contain at least 1 element(s)' }] },
      ],
    },
    'cluster:password': { inputs: [{ promptId: 'p1', password: 'not-a-real-one' }, { promptId: 'p2', password: null }], outputs: [{ promptId: 'p1', accepted: true }, { promptId: 'p2', accepted: false }] },
    'instance:open': { inputs: [{ instance: planned.instanceJson }], outputs: [{ instanceId: 'instance-1', nodes: 4, vms: 8 }] },
    'constraints:lint': {
      inputs: [{ clusterId: 'lab', script }, { instance: planned.instanceJson, script: { text: 'spread({VM1, VM2});' } }, { instanceId: 'instance-1', script }],
      outputs: [
        { diagnostics: [warning], constraints: 3, constraintHash: 'sha256:ab12' },
        { diagnostics: [error], constraints: 0, constraintHash: null },
      ],
    },
    'plan:compute': {
      inputs: [
        { requestId: 'q1', clusterId: 'lab', script, options: { objective: 'migrations', timeLimitS: 2.5, solver: 'native', maxMigrations: 3, maxMemoryGiB: 12.5, maxConcurrent: 1, windowSeconds: 600, migrationTime: 'memory' } },
        { requestId: 'q2', instance: planned.instanceJson },
        { requestId: 'q3', instanceId: 'instance-1', script },
      ],
      outputs: [
        { kind: 'result', requestId: 'q1', result: planResultToWire(planned.result), constraintHash: 'sha256:ab12', diagnostics: [warning] },
        { kind: 'result', requestId: 'q2', result: planResultToWire(infeasible), constraintHash: 'sha256:ab12', diagnostics: [] },
        { kind: 'script-errors', requestId: 'q3', diagnostics: [error, warning] },
      ],
    },
    'plan:cancel': { inputs: [{ requestId: 'q1' }], outputs: [{ cancelled: true }] },
    'plan:list': {
      inputs: [{}, { clusterId: 'lab', limit: 20 }],
      outputs: [{ plans: [pastPlan], notes: [] }, { plans: [], notes: ['The plan computed at 2025-12-06 05:46:40 UTC (request q1) was not kept in History: the disk is full'] }],
    },
    'plan:get': {
      inputs: [{ planId: pastPlan.planId }],
      outputs: [{ plan: pastPlan, script: { text: script.text, name: script.name }, options: { timeLimitS: 2 }, computed: { kind: 'result', requestId: 'q1', result: planResultToWire(planned.result), constraintHash: 'sha256:ab12', diagnostics: [] } }],
    },
    'run:create': {
      inputs: [
        { clusterId: 'lab', requestId: 'q1', constraintHash: 'sha256:ab12', mode: 'manual', maxPerHost: 2, windowSeconds: 3600 },
        { clusterId: 'lab', planId: 'p-20261207-1402-a1', constraintHash: 'sha256:ab12' },
      ],
      outputs: [runWithProgress],
    },
    'run:get': { inputs: [{ runId: RUN.runId }], outputs: [runWithProgress] },
    'run:list': { inputs: [{}, { clusterId: 'lab', states: ['running', 'paused'] }], outputs: [{ runs: [summary] }] },
    'run:event': {
      inputs: [
        { runId: RUN.runId, revision: 2, event: { type: 'approve', stepIds: ['s2'] } },
        { runId: RUN.runId, revision: 2, event: { type: 'set-mode', mode: 'unattended', maxPerHost: 1 } },
        { runId: RUN.runId, revision: 2, event: { type: 'hold', stepId: 's2' } },
        { runId: RUN.runId, revision: 2, event: { type: 'failure-choice', stepId: 's4', choice: 'replan' } },
      ],
      outputs: [
        { ...runWithProgress, refused: null },
        { ...runWithProgress, refused: 's4 has already succeeded' },
      ],
    },
    'run:report': { inputs: [{ runId: RUN.runId, format: 'html' }], outputs: [{ runId: RUN.runId, format: 'md', fileName: 'r-20251206-1.md', content: '# Maintenance report\n' }] },
    'run:rehearse': {
      inputs: [
        { clusterId: 'lab', requestId: 'q1', constraintHash: 'sha256:ab', faults: [] },
        { clusterId: 'lab', planId: 'p-20261207-1402-a1', constraintHash: 'sha256:ab', faults: [{ kind: 'host-down', node: 'N2' }] },
        { clusterId: 'lab', requestId: 'q1', constraintHash: 'sha256:ab', faults: [{ kind: 'fail-migration', vm: 'VM2' }, { kind: 'slow-migration', vm: 'VM3', factor: 4 }, { kind: 'host-down', node: 'N2' }, { kind: 'stop-vm', vm: 'VM1' }], mode: 'unattended' },
      ],
      outputs: [runWithProgress],
    },
    'run:audit': {
      inputs: [{ runId: RUN.runId }],
      outputs: [{ runId: RUN.runId, audit: [{ seq: 1, at, actor: by, type: 'run-created', revision: 1, constraintHash: 'sha256:ab', text: 'run created by alice@ws1' }, { seq: 2, at, actor: null, type: 'event', revision: 1, constraintHash: 'sha256:ab', text: 's1 preflight ok' }] }],
    },
    'plan:progress': { inputs: [{ requestId: 'q1' }], outputs: planned.progress.map((p) => progressToWire('q1', p)) },
    'run:changed': { inputs: [{}, { runId: RUN.runId }], outputs: [runWithProgress] },
    'run:step': { inputs: [{ runId: RUN.runId }], outputs: [{ runId: RUN.runId, revision: 2, event: EVENTS['effect-ended'], step: STEPS[0] as Step }] },
    'cluster:changed': { inputs: [{}, { clusterId: 'lab' }], outputs: [{ clusterId: 'lab', readAt: at, hosts: snapshot.hosts, jobs: snapshot.jobs }] },
    'cluster:password-needed': { inputs: [{}], outputs: [{ promptId: 'p1', user: 'root', host: '10.99.0.21', label: 'hv1' }] },
  };
}
