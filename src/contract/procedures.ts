import { z } from 'zod';

import type { MznSolverId } from '../solver/ports.js';
import type { PlacementObjective } from '../solver/problem.js';
import { ClusterChangedEventSchema, PLAN_STATUSES, PlanComputedSchema, PlanProgressEventSchema, RunChangedEventSchema, StepEventSchema } from './events.js';
import { ApprovalModeSchema, OperatorEventSchema, RunProgressSchema, RunSchema, RunStateSchema } from './executor.js';
import { ClusterSnapshotSchema, DiagnosticSchema, type Equals, InstanceJsonSchema, InventoryScopeSchema, OriginRefSchema, ScriptInputSchema, assertType, count, epochMs, finite, id, nonNegative } from './wire.js';

/**
 * The one contract between front ends and the main-process services: every procedure by name
 * (`domain:verb`), its kind, and the zod schemas of its input and output. The Electron IPC binding,
 * the local HTTP/WebSocket server and the CLI all go through this table, so a front end cannot ask
 * for something the services do not validate.
 *
 * - query: reads, no effect (safe to retry);
 * - command: changes something (plans, runs, reads a cluster again);
 * - subscription: the input filters, the output is one event; events flow until unsubscribed.
 *
 * Inputs are strict: an unknown field is refused (a misspelt option must not be silently ignored).
 */

export type ProcedureKind = 'query' | 'command' | 'subscription';

export interface ProcedureSpec<I extends z.ZodTypeAny = z.ZodTypeAny, O extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly kind: ProcedureKind;
  readonly input: I;
  readonly output: O;
}

const query = <I extends z.ZodTypeAny, O extends z.ZodTypeAny>(input: I, output: O) => ({ kind: 'query', input, output }) as const;
const command = <I extends z.ZodTypeAny, O extends z.ZodTypeAny>(input: I, output: O) => ({ kind: 'command', input, output }) as const;
const subscription = <I extends z.ZodTypeAny, O extends z.ZodTypeAny>(input: I, output: O) => ({ kind: 'subscription', input, output }) as const;

const noInput = z.object({}).strict();

/** What to plan or lint against: a cluster's last read, or an instance given whole (exactly one). */
function clusterOrInstance<T extends z.ZodRawShape>(fields: T) {
  const union = z.union([
    z.object({ clusterId: id, ...fields }).strict(),
    z.object({ instance: InstanceJsonSchema, ...fields }).strict(),
    z.object({ instanceId: id, ...fields }).strict(),
  ]);
  return z.unknown().superRefine(exactlyOneSource).pipe(union);
}

const SOURCE_KEYS = ['clusterId', 'instance', 'instanceId'] as const;

/** Says which of clusterId, instance and instanceId is expected before the union reports each branch. */
function exactlyOneSource(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return; // the union says "expected an object"
  const given = SOURCE_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(value, key));
  if (given.length > 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected one of clusterId, instance or instanceId, not ${given.join(' and ')}` });
  else if (given.length === 0)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: "missing the source: expected clusterId (a cluster's last read), instance (BtrPlace instance JSON) or instanceId (an instance:open answer)",
    });
}

/**
 * Which computed plan a run is made of (exactly one): `requestId`, a plan:compute of this session,
 * or `planId`, a plan kept in the journal (History), in any later session.
 */
function requestOrPlan<T extends z.ZodRawShape>(fields: T) {
  const union = z.union([z.object({ requestId: id, ...fields }).strict(), z.object({ planId: id, ...fields }).strict()]);
  return z.unknown().superRefine(exactlyOnePlan).pipe(union);
}

function exactlyOnePlan(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return; // the union says "expected an object"
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);
  if (has('requestId') && has('planId')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['planId'], message: 'expected requestId or planId, not both' });
  else if (!has('requestId') && !has('planId'))
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'missing the plan: expected requestId (a plan:compute of this session) or planId (a plan kept in History)' });
}

// ---- clusters -------------------------------------------------------------------------------

export const ClusterSummarySchema = z
  .object({
    clusterId: id,
    /** For people: "lab (3 hosts)". */
    label: z.string(),
    /** 'demo', 'libvirt', 'proxmox', 'nutanix', … */
    provider: z.string(),
    /** The last read, null before the first. */
    readAt: epochMs.nullable(),
    nodes: count,
    vms: count,
    /** The run holding the cluster (running or paused), if any: plans and new runs get 'conflict'. */
    heldBy: id.nullable(),
  })
  .strict();
export type ClusterSummary = z.infer<typeof ClusterSummarySchema>;

const clusterScope = z.object({ clusterId: id, scope: InventoryScopeSchema.optional() }).strict();

/** A libvirt cluster file as the Connect screen shows it: where and who, never a credential. */
export const LibvirtClusterSchema = z
  .object({
    clusterId: id,
    name: z.string(),
    file: z.string(),
    hosts: z.array(
      z.object({ name: id, address: z.string(), port: z.number().int().min(1).max(65_535).nullable(), user: z.string().nullable(), rack: z.string().nullable() }).strict(),
    ),
  })
  .strict();

/** One host of a cluster test: reachable (SSH and virsh), or why not; a new host key with its fingerprint. */
export const HostCheckSchema = z
  .object({
    host: id,
    reachable: z.boolean(),
    error: z.string().nullable(),
    /** A host key not in known_hosts: confirm it by its fingerprint (cluster:trust-host-key). */
    unknownHostKey: z.object({ fingerprint: z.string(), keyType: z.string() }).strict().nullable(),
    /** The host shows another key than known_hosts lists: refused, never trusted from here. */
    hostKeyChanged: z.boolean(),
    elapsedMs: nonNegative,
  })
  .strict();

/** A libvirt cluster file's text for the Connect screen's editor (it holds paths, never a credential). */
export const ClusterConfigTextSchema = z.object({ clusterId: id, file: z.string(), text: z.string() }).strict();

/** The most a cluster file may weigh (a YAML list of hosts; more is not a cluster file). */
export const MAX_CLUSTER_FILE_CHARS = 1_000_000;

/**
 * Saving a cluster file: written only when the config parser accepts it (`saved`), else the
 * located errors (`diagnostics`, 1-based lines and columns) and nothing written.
 */
export const ClusterConfigSavedSchema = z
  .object({
    saved: z.boolean(),
    cluster: LibvirtClusterSchema.nullable(),
    diagnostics: z.array(z.object({ line: count, column: count, message: z.string() }).strict()),
  })
  .strict();

/** The main process needs a password to log in to a host (the cluster file says `askPassword: true`). */
export const PasswordNeededEventSchema = z
  .object({
    promptId: id,
    user: z.string(),
    host: z.string(),
    /** The host's name in its cluster. */
    label: z.string(),
  })
  .strict();
export type PasswordNeededEvent = z.infer<typeof PasswordNeededEventSchema>;

// ---- planning -------------------------------------------------------------------------------

export const OBJECTIVES = ['mttr', 'migrations', 'memory'] as const;
export const SOLVERS = ['chuffed', 'gecode', 'highs', 'coin-bc', 'native'] as const;
export const MIGRATION_TIMES = ['attributes', 'memory'] as const;
assertType<Equals<(typeof OBJECTIVES)[number], PlacementObjective>>(true);
assertType<Equals<(typeof SOLVERS)[number], MznSolverId | 'native'>>(true);

/** What an absent planning option means (the CLI's defaults). */
export const PLAN_DEFAULTS = { objective: 'mttr', timeLimitS: 10, maxConcurrent: 2, migrationTime: 'attributes' } as const;

/** Planning options; an absent one takes its PLAN_DEFAULTS value, an absent budget is no budget. */
export const PlanOptionsSchema = z
  .object({
    objective: z.enum(OBJECTIVES).optional(),
    /** The search budget (s); the best plan so far is kept. */
    timeLimitS: nonNegative.max(86_400).optional(),
    solver: z.enum(SOLVERS).optional(),
    maxMigrations: count.optional(),
    maxMemoryGiB: nonNegative.optional(),
    /** At most this many migrations touching one host at once. */
    maxConcurrent: z.number().int().min(1).finite().optional(),
    /** The plan must end within this many seconds. */
    windowSeconds: nonNegative.optional(),
    /** 'attributes' (BtrPlace's durations) or 'memory' (memory over the link speed). */
    migrationTime: z.enum(MIGRATION_TIMES).optional(),
  })
  .strict();
export type PlanOptionsInput = z.infer<typeof PlanOptionsSchema>;

/** How many past plans plan:list answers at most (the journal keeps the last 200). */
export const MAX_PLAN_LIST = 200;

/**
 * A computed plan as History lists it (plan:list): no plan body. `source` is what was planned: a
 * cluster (its id) or an instance file (its name). Numbers are null without a plan.
 */
export const PastPlanSchema = z
  .object({
    /** Durable (the requestId is per console page). */
    planId: id,
    requestId: id,
    computedAt: epochMs,
    source: z.object({ kind: z.enum(['cluster', 'file']), name: z.string() }).strict(),
    scriptName: z.string(),
    constraintHash: z.string(),
    status: z.enum(PLAN_STATUSES),
    /** The plan's actions (0 without a plan). */
    steps: count,
    migrations: finite.nullable(),
    durationSeconds: finite.nullable(),
    memoryMovedMiB: finite.nullable(),
    objective: finite.nullable(),
    lowerBound: finite.nullable(),
    gap: finite.nullable(),
    provenOptimal: z.boolean(),
    /** Why there is no plan (the conflicting constraints). */
    explanation: z.array(z.string()),
    /** The runs (and rehearsals) created from it, oldest first. */
    runIds: z.array(id),
  })
  .strict();
export type PastPlan = z.infer<typeof PastPlanSchema>;

// ---- runs -----------------------------------------------------------------------------------

const RunWithProgressSchema = z.object({ run: RunSchema, progress: RunProgressSchema }).strict();

export const RunSummarySchema = z
  .object({
    runId: id,
    clusterId: id,
    revision: count,
    state: RunStateSchema,
    mode: ApprovalModeSchema,
    createdAt: epochMs,
    startedAt: epochMs.nullable(),
    endedAt: epochMs.nullable(),
    reason: z.string().nullable(),
    progress: RunProgressSchema,
  })
  .strict();
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const REPORT_FORMATS = ['md', 'html'] as const;

/** Faults a rehearsal injects into its simulated copy before the plan runs (the demo engine's). */
export const RehearsalFaultSchema = z.discriminatedUnion('kind', [
  /** The VM's next migration fails at about half way. */
  z.object({ kind: z.literal('fail-migration'), vm: id }).strict(),
  /** The host stops answering: actions touching it hang until their timeout. */
  z.object({ kind: z.literal('host-down'), node: id }).strict(),
  /** The VM's migrations take `factor` times longer. */
  z.object({ kind: z.literal('slow-migration'), vm: id, factor: z.number().min(1).max(1000).finite() }).strict(),
  /** The VM is stopped by hand before the plan runs (drift). */
  z.object({ kind: z.literal('stop-vm'), vm: id }).strict(),
]);
export type RehearsalFault = z.infer<typeof RehearsalFaultSchema>;

/** One line of a run's audit trail (the journal's entries in operator words). */
export const AuditLineSchema = z.object({ seq: count, at: epochMs, actor: z.string().nullable(), type: z.string(), revision: count, constraintHash: z.string(), text: z.string() }).strict();
export type AuditLineWire = z.infer<typeof AuditLineSchema>;

// ---- the table ------------------------------------------------------------------------------

export const PROCEDURES = {
  /** The clusters this installation knows. */
  'cluster:list': query(noInput, z.object({ clusters: z.array(ClusterSummarySchema) }).strict()),
  /** The last read of a cluster (read now when there is none, or when `scope` asks for those hosts). */
  'cluster:snapshot': query(clusterScope, ClusterSnapshotSchema),
  /** Read a cluster again (only the hosts of `scope` when given). */
  'cluster:refresh': command(clusterScope, ClusterSnapshotSchema),
  /** Adds a libvirt cluster described by a YAML file on this machine (errors located file:line:col). */
  'cluster:add-config': command(z.object({ path: z.string().min(1).max(4096) }).strict(), LibvirtClusterSchema),
  /** Connects to every host of a libvirt cluster: reachable or not, new host keys with their fingerprints. */
  'cluster:test': command(z.object({ clusterId: id }).strict(), z.object({ clusterId: id, hosts: z.array(HostCheckSchema) }).strict()),
  /** Trusts the key a host shows, provided it is the one the operator confirmed (appended to known_hosts). */
  'cluster:trust-host-key': command(
    z.object({ clusterId: id, host: id, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a fingerprint reads SHA256: and 43 base64 characters') }).strict(),
    z.object({ clusterId: id, host: id, knownHostsFile: z.string() }).strict(),
  ),
  /** The text of a libvirt cluster file Ferry knows (one of cluster:list's). */
  'cluster:config-read': query(z.object({ clusterId: id }).strict(), ClusterConfigTextSchema),
  /**
   * Saves a libvirt cluster file's text, validated as `ferry inventory --config` reads it, atomically
   * (temp file + rename, the file's mode kept). `create`: a new file the operator names (never an
   * existing one), then known; otherwise only a file the cluster list knows.
   */
  'cluster:config-save': command(
    z.object({ file: z.string().min(1).max(4096), text: z.string().max(MAX_CLUSTER_FILE_CHARS), create: z.boolean().optional() }).strict(),
    ClusterConfigSavedSchema,
  ),
  /** Answers a cluster:password-needed (null: the operator declined); kept in the main process's memory only. */
  'cluster:password': command(z.object({ promptId: id, password: z.string().min(1).max(1024).nullable() }).strict(), z.object({ promptId: id, accepted: z.boolean() }).strict()),

  /**
   * Keeps a BtrPlace instance in the main process for what-ifs on a file: it is sent, checked and
   * decoded once, then lints and plans name it by `instanceId` instead of sending it whole each time
   * (40,000 VMs are megabytes of JSON). The process keeps the last few instances opened.
   */
  'instance:open': command(z.object({ instance: InstanceJsonSchema }).strict(), z.object({ instanceId: id, nodes: count, vms: count }).strict()),

  /** A script checked against a cluster or an instance: located diagnostics, and the hash when it has no error. */
  'constraints:lint': query(
    clusterOrInstance({ script: ScriptInputSchema }),
    z
      .object({
        diagnostics: z.array(DiagnosticSchema),
        /** Constraints the script builds (0 when it has errors). */
        constraints: count,
        /** `sha256:…` of the instance's constraints and the script's; null when the script has errors. */
        constraintHash: z.string().nullable(),
      })
      .strict(),
  ),

  /**
   * Plan (long: up to the time limit). `requestId` is chosen by the client so that it can
   * subscribe to plan:progress and cancel before the answer comes.
   */
  'plan:compute': command(
    clusterOrInstance({
      requestId: id,
      script: ScriptInputSchema.optional(),
      options: PlanOptionsSchema.optional(),
      /** The origin the caller holds (its cluster read, the instance it opened): a plan on it comes back without it. */
      originHeld: OriginRefSchema.optional(),
      /** The instance file's name, for History (a what-if on a file is listed under it). */
      sourceName: z.string().min(1).max(256).optional(),
    }),
    PlanComputedSchema,
  ),
  /** Stop a plan:compute early: it answers with the best plan so far (or none). */
  'plan:cancel': command(z.object({ requestId: id }).strict(), z.object({ cancelled: z.boolean() }).strict()),
  /**
   * Computed plans kept in the journal (the last 200), newest first, without their bodies. `notes`:
   * plans this process computed but could not keep (journal full, locked), in operator words.
   */
  'plan:list': query(
    z.object({ clusterId: id.optional(), limit: z.number().int().min(1).max(MAX_PLAN_LIST).optional() }).strict(),
    z.object({ plans: z.array(PastPlanSchema), notes: z.array(z.string()) }).strict(),
  ),
  /**
   * One kept plan: its summary, how it was asked for, and the result as plan:compute answered it
   * (the plan whole, origin included), to be shown again; no run is created from it.
   */
  'plan:get': query(
    z.object({ planId: id }).strict(),
    z.object({ plan: PastPlanSchema, script: z.object({ text: z.string(), name: z.string() }).strict(), options: PlanOptionsSchema, computed: PlanComputedSchema }).strict(),
  ),

  /**
   * A run (draft) from a computed plan. The plan is the one the service holds for `requestId`, or
   * the one the journal keeps as `planId` (exactly one of them), never one sent by the client;
   * `constraintHash` is the hash the operator saw ('conflict' if it differs). Either way the
   * cluster must still be what the plan started from ('conflict' otherwise, nothing created).
   */
  'run:create': command(
    requestOrPlan({
      clusterId: id,
      constraintHash: z.string(),
      mode: ApprovalModeSchema.optional(),
      maxPerHost: z.number().int().min(1).finite().optional(),
      windowSeconds: nonNegative.optional(),
    }),
    RunWithProgressSchema,
  ),
  'run:get': query(z.object({ runId: id }).strict(), RunWithProgressSchema),
  'run:list': query(z.object({ clusterId: id.optional(), states: z.array(RunStateSchema).optional() }).strict(), z.object({ runs: z.array(RunSummarySchema) }).strict()),
  /**
   * An operator's event. `revision` is the run revision the operator was looking at: a re-plan
   * accepted meanwhile makes it 'conflict' rather than approving steps of a plan not seen.
   * A refused event (state unchanged) answers with `refused` in operator words.
   */
  'run:event': command(
    z.object({ runId: id, revision: count, event: OperatorEventSchema }).strict(),
    z.object({ run: RunSchema, progress: RunProgressSchema, refused: z.string().nullable() }).strict(),
  ),
  'run:report': query(
    z.object({ runId: id, format: z.enum(REPORT_FORMATS) }).strict(),
    z.object({ runId: id, format: z.enum(REPORT_FORMATS), fileName: z.string(), content: z.string() }).strict(),
  ),
  /**
   * Rehearse a computed plan (as run:create) on a simulated copy of the cluster with `faults`
   * injected: a run of its own (cluster `rehearsal:<runId>`); the computed plan stays available
   * for run:create. `requestId` or `planId`, as for run:create.
   */
  'run:rehearse': command(
    requestOrPlan({
      clusterId: id,
      constraintHash: z.string(),
      faults: z.array(RehearsalFaultSchema).max(100),
      mode: ApprovalModeSchema.optional(),
    }),
    RunWithProgressSchema,
  ),
  /** A run's audit trail: every journal entry, oldest first, in operator words. */
  'run:audit': query(z.object({ runId: id }).strict(), z.object({ runId: id, audit: z.array(AuditLineSchema) }).strict()),

  /** Checked improving plans of one plan:compute. */
  'plan:progress': subscription(z.object({ requestId: id }).strict(), PlanProgressEventSchema),
  /** Every change of one run, or of every run when `runId` is absent. */
  'run:changed': subscription(z.object({ runId: id.optional() }).strict(), RunChangedEventSchema),
  /** Each event that touched a step of one run. */
  'run:step': subscription(z.object({ runId: id }).strict(), StepEventSchema),
  /** Every re-read of one cluster, or of every cluster when `clusterId` is absent. */
  'cluster:changed': subscription(z.object({ clusterId: id.optional() }).strict(), ClusterChangedEventSchema),
  /** A host needs a password: answer with cluster:password (the password never comes back in an event). */
  'cluster:password-needed': subscription(z.object({}).strict(), PasswordNeededEventSchema),
} as const satisfies Record<string, ProcedureSpec>;

export type Procedures = typeof PROCEDURES;
export type ProcedureName = keyof Procedures;
export type InputOf<N extends ProcedureName> = z.infer<Procedures[N]['input']>;
export type OutputOf<N extends ProcedureName> = z.infer<Procedures[N]['output']>;
export type KindOf<N extends ProcedureName> = Procedures[N]['kind'];
export type NamesOfKind<K extends ProcedureKind> = { [N in ProcedureName]: KindOf<N> extends K ? N : never }[ProcedureName];

export const PROCEDURE_NAMES = Object.keys(PROCEDURES) as ProcedureName[];

export function isProcedureName(name: unknown): name is ProcedureName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PROCEDURES, name);
}

/**
 * The app namespace every channel carries (Electron IPC channel, HTTP path segment), checked by
 * main before anything else, as VS Code checks `vscode:`.
 */
export const NAMESPACE = 'ferry';

export function channelOf(name: ProcedureName): string {
  return `${NAMESPACE}:${name}`;
}

/** The procedure a channel names, or undefined for a channel outside the namespace or unknown. */
export function procedureOfChannel(channel: string): ProcedureName | undefined {
  const prefix = `${NAMESPACE}:`;
  if (!channel.startsWith(prefix)) return undefined;
  const name = channel.slice(prefix.length);
  return isProcedureName(name) ? name : undefined;
}
