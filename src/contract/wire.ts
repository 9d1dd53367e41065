import { z } from 'zod';

import type { Constraint } from '../catalogue/constraint.js';
import type { HostReading, InventoryScope, InventorySnapshot, VmJob } from '../cluster/ports.js';
import type { Diagnostic, DiagnosticCode } from '../dsl/diagnostics.js';
import { type Instance, OBJECTIVE_IDS, type ObjectiveId } from '../instance/instance.js';
import { instanceFromJson, instanceToJson } from '../instance/json.js';
import type { JsonResult } from '../json/read.js';
import { ACTION_JSON_IDS, actionToJson, planFromJson, planToJson } from '../plan/json.js';
import { type Plan, sortActions } from '../plan/plan.js';

export { isOnHeldOrigin, sameOrigin } from './origin-ref.js';

/**
 * What travels between a front end (CLI, Electron IPC, the local HTTP/WebSocket mode) and the
 * main-process services: JSON only. No classes, no Map, no `undefined` that matters, and no NaN or
 * Infinity (JSON.stringify turns them into null silently, so a number that is not finite is refused
 * here rather than corrupted in transit; "no value" is written null).
 *
 * BtrPlace's own formats (instance and plan JSON) stay opaque JSON objects at this level: their
 * outer shape is checked here, their meaning by the located readers of src/instance and src/plan
 * (`decodeInstance`, `decodePlan`), which the handlers call anyway to build the domain objects.
 */

// ---- keeping schemas and TypeScript types equal -------------------------------------------------

/**
 * A type with `readonly` removed and `undefined` dropped from property values, deeply. zod 3 infers
 * `a?: T | undefined` where the domain types (exactOptionalPropertyTypes) say `a?: T`, and mutable
 * arrays where they say readonly ones; neither can travel in JSON, so the comparison ignores them.
 * Everything else (names, optionality, nullability, literal unions) must match exactly.
 */
export type Plain<T> = T extends readonly (infer E)[] ? Plain<E>[] : T extends object ? { -readonly [K in keyof T]: Plain<Exclude<T[K], undefined>> } : T;

/** Exact type identity (not mere assignability). */
export type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** True when a schema's output and a domain type can only differ by readonly and `| undefined`. */
export type SameShape<A, B> = Equals<Plain<A>, Plain<B>>;

/**
 * `matches<T>()(schema)`: the schema, typed as parsing to `T`, and only if its inferred type and
 * `T` have the same shape. A drift (a field added to the type, a state renamed) makes the call need
 * a second argument, so it stops compiling; the missing argument's type shows both shapes.
 */
export function matches<T>() {
  return <S extends z.ZodTypeAny>(schema: S, ..._proof: SameShape<z.infer<S>, T> extends true ? [] : [mismatch: { schema: Plain<z.infer<S>>; type: Plain<T> }]): z.ZodType<T, z.ZodTypeDef, unknown> =>
    schema as unknown as z.ZodType<T, z.ZodTypeDef, unknown>;
}

/** A compile-time assertion: `assertType<Equals<A, B>>(true)` does not compile when they differ. */
export function assertType<T extends true>(_proof: T): void {}

// ---- JSON values ----------------------------------------------------------------------------

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What a value that is not JSON is, in a few words ("NaN", "a function", "a Map"). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `the bigint ${value.toString()}`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'an object';
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name.length > 0 ? `a ${name}` : 'an object';
}

interface Frame {
  readonly value: unknown;
  readonly key: string | number | undefined;
  readonly parent: Frame | undefined;
  /** Set on the second visit of a container, when its children are done. */
  readonly leaving?: true;
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) path.push(f.key);
  return path.reverse();
}

/**
 * The first place (depth first, in key order) where a value is not JSON, or undefined. Iterative,
 * so a deeply nested message cannot overflow the stack; a cycle is reported, not followed.
 */
export function findNonJson(value: unknown): { readonly path: (string | number)[]; readonly message: string } | undefined {
  const stack: Frame[] = [{ value, key: undefined, parent: undefined }];
  const onPath = new Set<object>();
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const v = frame.value;
    if (frame.leaving) {
      onPath.delete(v as object);
      continue;
    }
    const problem = scalarProblem(v);
    if (problem === null) continue;
    if (problem !== undefined) return { path: pathOf(frame), message: problem };
    const container = v as object;
    if (onPath.has(container)) return { path: pathOf(frame), message: 'expected a JSON value, got a cycle (an object inside itself)' };
    onPath.add(container);
    stack.push({ ...frame, leaving: true });
    pushChildren(stack, frame, container);
  }
  return undefined;
}

/** Marks a '__proto__' member: refused wherever it is. */
const PROTO_KEY = Symbol('__proto__');

/** null: a valid scalar; undefined: a container to walk; else why the value is not JSON. */
function scalarProblem(v: unknown): string | null | undefined {
  if (v === PROTO_KEY) return 'unexpected field (a \'__proto__\' member is never accepted)';
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `expected a finite number, got ${describeValue(v)}`;
  if (typeof v !== 'object') return `expected a JSON value, got ${describeValue(v)}`;
  if (Array.isArray(v)) return undefined;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? undefined : `expected a JSON value, got ${describeValue(v)}`;
}

function pushChildren(stack: Frame[], parent: Frame, container: object): void {
  // pushed in reverse so that the first child is looked at first
  if (Array.isArray(container)) {
    for (let i = container.length - 1; i >= 0; i--) stack.push({ value: container[i], key: i, parent });
    return;
  }
  const keys = Object.keys(container);
  // '__proto__' as an own key (JSON.parse makes one) would become a prototype when copied
  if (keys.includes('__proto__')) {
    stack.push({ value: PROTO_KEY, key: '__proto__', parent });
    return;
  }
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    stack.push({ value: (container as Record<string, unknown>)[key], key, parent });
  }
}

function jsonIssue(value: unknown, ctx: z.RefinementCtx, expectObject: boolean): void {
  if (expectObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected an object, got ${describeValue(value)}` });
    return;
  }
  const problem = findNonJson(value);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
}

/** Any JSON value; the first non-JSON part (NaN, undefined, a Date, a cycle) is refused where it is. */
export const JsonValueSchema = z.unknown().superRefine((v, ctx) => jsonIssue(v, ctx, false)) as unknown as z.ZodType<JsonValue, z.ZodTypeDef, unknown>;
/** A JSON object (not an array, not null). */
export const JsonObjectSchema = z.unknown().superRefine((v, ctx) => jsonIssue(v, ctx, true)) as unknown as z.ZodType<JsonObject, z.ZodTypeDef, unknown>;

// ---- scalars ------------------------------------------------------------------------------------

export const finite = z.number().finite();
export const nonNegative = finite.nonnegative();
/** Counts, revisions, attempts. */
export const count = z.number().int().nonnegative().finite();
/** Wall-clock times: ms since the epoch. */
export const epochMs = nonNegative;
/** Ids and names: non-empty, bounded (a request id, a run id, a cluster id, a step id). */
export const id = z.string().min(1).max(256);

// ---- BtrPlace instance and plan JSON --------------------------------------------------------

/** BtrPlace's instance JSON: `{ model, constraints, objective }` (extra members kept, JSON only). */
export const InstanceJsonSchema = z
  .object({
    model: JsonObjectSchema,
    constraints: z.array(JsonObjectSchema),
    objective: z.object({ id: z.enum(OBJECTIVE_IDS) }).catchall(JsonValueSchema),
  })
  .catchall(JsonValueSchema);
export type InstanceJson = z.infer<typeof InstanceJsonSchema>;

/** One action of BtrPlace's plan JSON: its kind in `id`, integer times, the rest by kind. */
export const ActionJsonSchema = z
  .object({ id: z.enum(ACTION_JSON_IDS), start: count, end: count })
  .catchall(JsonValueSchema)
  .refine((a) => a.start <= a.end, { message: 'expected start <= end', path: ['end'] });
export type ActionJson = z.infer<typeof ActionJsonSchema>;

/** BtrPlace's plan JSON: `{ origin: <model JSON>, actions: [...] }`, actions sorted by (start, end). */
export const PlanJsonSchema = z.object({ origin: JsonObjectSchema, actions: z.array(ActionJsonSchema) }).catchall(JsonValueSchema);
export type PlanJson = z.infer<typeof PlanJsonSchema>;

/**
 * An origin the caller already holds: a cluster's read (its `readAt`) or an instance it opened
 * (instance:open). plan:compute names it in `originHeld`, and a plan on exactly that origin comes
 * back without it (PlanOnHeldOriginJson): 40,000 VMs are 2 MB the page already has.
 */
export const OriginRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), clusterId: id, readAt: epochMs }).strict(),
  z.object({ kind: z.literal('instance'), instanceId: id }).strict(),
]);
export type OriginRef = z.infer<typeof OriginRefSchema>;


/** A plan whose origin the caller holds (`originRef`): its actions only, as in PlanJson. */
export const PlanOnHeldOriginSchema = z.object({ originRef: OriginRefSchema, actions: z.array(ActionJsonSchema) }).strict();
export type PlanOnHeldOriginJson = z.infer<typeof PlanOnHeldOriginSchema>;

/** A plan as an answer carries it: whole, or on an origin the caller holds. */
export const WirePlanSchema = z.union([PlanJsonSchema, PlanOnHeldOriginSchema]);
export type WirePlan = z.infer<typeof WirePlanSchema>;


/** An Instance from its wire JSON; an error is located below `at` (`$.input.instance.model...`). */
export function decodeInstance(json: InstanceJson, at = '$'): JsonResult<Instance> {
  return relocate(instanceFromJson(json), at);
}

/** A Plan from its wire JSON; an error is located below `at`. */
export function decodePlan(json: PlanJson, at = '$'): JsonResult<Plan> {
  return relocate(planFromJson(json), at);
}

function relocate<T>(result: JsonResult<T>, at: string): JsonResult<T> {
  if (result.ok || at === '$') return result;
  return { ok: false, error: { ...result.error, path: `${at}${result.error.path.slice(1)}` } };
}

/** The wire form of an instance (BtrPlace's JSON, constraints through the catalogue). */
export function encodeInstance(instance: Instance): InstanceJson {
  return instanceToJson(instance) as InstanceJson;
}

// ---- stable step ids ------------------------------------------------------------------------

/**
 * A plan with the ids of its steps. BtrPlace's plan JSON has no action ids, yet an approval, a
 * journal row and a report must name the same step: `stepIds[i]` names `plan.actions[i]`.
 */
export const PlanWithIdsSchema = z
  .object({ plan: PlanJsonSchema, stepIds: z.array(id) })
  .strict()
  .superRefine((p, ctx) => {
    if (p.stepIds.length !== p.plan.actions.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['stepIds'], message: `expected one id per action (${p.plan.actions.length}), got ${p.stepIds.length}` });
      return;
    }
    const seen = new Set<string>();
    p.stepIds.forEach((s, i) => {
      if (seen.has(s)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['stepIds', i], message: `expected unique step ids, got ${JSON.stringify(s)} twice` });
      seen.add(s);
    });
  });
export type PlanWithIds = z.infer<typeof PlanWithIdsSchema>;

/** `s1`, `s2`, … : the ids of a fresh plan's steps, in action order. */
export function stepIdsFor(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `s${i + 1}`);
}

/** The plan's JSON with its actions sorted by (start, end) and their ids (`s1`… unless given). */
export function withStepIds(plan: Plan, ids?: readonly string[]): PlanWithIds {
  const sorted = sortActions(plan.actions);
  const json = planToJson({ origin: plan.origin, actions: sorted }) as PlanJson;
  return { plan: json, stepIds: ids ? [...ids] : stepIdsFor(sorted.length) };
}

/** As withStepIds, the origin left out: the caller holds it as `originRef`. */
export function withStepIdsOnHeldOrigin(plan: Plan, originRef: OriginRef, ids?: readonly string[]): { readonly plan: PlanOnHeldOriginJson; readonly stepIds: string[] } {
  const sorted = sortActions(plan.actions);
  const actions = sorted.map(actionToJson) as ActionJson[];
  return { plan: { originRef, actions }, stepIds: ids ? [...ids] : stepIdsFor(sorted.length) };
}

// ---- cluster --------------------------------------------------------------------------------

export const HostReadingSchema = matches<HostReading>()(
  z
    .object({
      name: id,
      readAt: epochMs,
      reachable: z.boolean(),
      error: z.string().optional(),
      rack: z.string().optional(),
    })
    .strict(),
);

export const VM_JOB_KINDS = ['migrate', 'boot', 'shutdown', 'suspend', 'resume', 'allocate', 'bootNode', 'shutdownNode'] as const;

export const VmJobSchema = matches<VmJob>()(
  z
    .object({
      kind: z.enum(VM_JOB_KINDS),
      to: z.string().optional(),
      startedAt: epochMs,
      fraction: finite.min(0).max(1),
      requestId: z.string().optional(),
    })
    .strict(),
);

export const InventoryScopeSchema = matches<InventoryScope>()(z.object({ nodes: z.array(id).optional(), vms: z.array(id).optional() }).strict());

/** A read of a cluster: InventorySnapshot with the model as BtrPlace instance JSON and jobs as a record. */
export const ClusterSnapshotSchema = z
  .object({
    clusterId: id,
    readAt: epochMs,
    instance: InstanceJsonSchema,
    hosts: z.array(HostReadingSchema),
    /** Operations in flight, by VM name (node operations by node name). */
    jobs: z.record(VmJobSchema),
  })
  .strict();
export type ClusterSnapshot = z.infer<typeof ClusterSnapshotSchema>;

/** The wire form of a snapshot; the constraints are the ones the cluster declares (none by default). */
export function snapshotToWire(snapshot: InventorySnapshot, constraints: readonly Constraint[] = [], objective: ObjectiveId = 'minimizeMTTR'): ClusterSnapshot {
  return {
    clusterId: snapshot.clusterId,
    readAt: snapshot.readAt,
    instance: encodeInstance({ model: snapshot.model, constraints, objective: { id: objective } }),
    hosts: snapshot.hosts.map((h) => ({ ...h })),
    jobs: Object.fromEntries([...snapshot.jobs].map(([name, job]) => [name, { ...job }])),
  };
}

// ---- script diagnostics ---------------------------------------------------------------------

/** Every DiagnosticCode (the type has no runtime list; `assertType` below keeps this one complete). */
export const DIAGNOSTIC_CODES = [
  'syntax',
  'unknown-vm',
  'unknown-node',
  'unknown-variable',
  'unknown-constraint',
  'unknown-resource',
  'unknown-import',
  'arity',
  'type',
  'not-integer',
  'discrete-unsupported',
  'constraint-rejected',
  'immutable',
  'redeclared',
  'operation',
  'range',
  'export',
  'import',
  'limit',
  'empty-set',
  'no-constraint',
  'internal',
] as const;
assertType<Equals<(typeof DIAGNOSTIC_CODES)[number], DiagnosticCode>>(true);

/** A located script diagnostic (1-based lines and columns, end exclusive). */
export const DiagnosticSchema = matches<Diagnostic>()(
  z
    .object({
      severity: z.enum(['error', 'warning', 'info']),
      line: count,
      column: count,
      endLine: count,
      endColumn: count,
      message: z.string(),
      suggestion: z.string().optional(),
      code: z.enum(DIAGNOSTIC_CODES),
    })
    .strict(),
);

/** A script as a front end sends it: its text and a name for messages (a file name, a tab title). */
export interface ScriptInput {
  readonly text: string;
  readonly name?: string;
}

export const ScriptInputSchema = matches<ScriptInput>()(z.object({ text: z.string().max(4_000_000), name: z.string().max(1024).optional() }).strict());
