import type { z } from 'zod';

import { closest } from '../dsl/diagnostics.js';
import { childPath } from '../json/read.js';
import { type ErrorBody, type Reply, replySchema } from './errors.js';
import { type InputOf, type OutputOf, PROCEDURES, PROCEDURE_NAMES, type ProcedureName, isProcedureName } from './procedures.js';
import { describeValue } from './wire.js';

/**
 * Validation at the boundary: every message from a front end is parsed here before a service sees
 * it. A malformed message is refused with a located error: the JSON path of the first bad value
 * and what was expected (`$.input.options.timeLimitS: expected a finite number, got "ten"`).
 * Nothing here throws, whatever the input.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorBody };

export type RequestOf<N extends ProcedureName> = { readonly name: N; readonly input: InputOf<N> };
/** A parsed request: `switch (request.name)` narrows the input. */
export type AnyRequest = { [N in ProcedureName]: RequestOf<N> }[ProcedureName];

/** A request for procedure `name` with input `input`; errors are located under `$.input`. */
export function parseRequest(name: unknown, input: unknown): Parsed<AnyRequest> {
  if (!isProcedureName(name)) return { ok: false, error: unknownProcedure(name) };
  const parsed = parseWith(PROCEDURES[name].input, input, '$.input');
  return parsed.ok ? { ok: true, value: { name, input: parsed.value } as AnyRequest } : parsed;
}

/** A whole request message `{ name, input }` (WebSocket frames, recorded sessions). */
export function parseMessage(raw: unknown): Parsed<AnyRequest> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return refuse('$', `expected a request object { name, input }, got ${describeValue(raw)}`);
  const extra = Object.keys(raw).find((k) => k !== 'name' && k !== 'input');
  if (extra !== undefined) return refuse(childPath('$', extra), 'unexpected field (a request has name and input)');
  const { name, input } = raw as { name?: unknown; input?: unknown };
  return parseRequest(name, input);
}

/** A procedure's output (a query's or command's value, a subscription's event); errors under `$.value`. */
export function parseOutput<N extends ProcedureName>(name: N, raw: unknown): Parsed<OutputOf<N>> {
  return parseWith(PROCEDURES[name].output as z.ZodType<OutputOf<N>, z.ZodTypeDef, unknown>, raw, '$.value');
}

/** A whole reply envelope of a procedure (`{ ok: true, value }` or `{ ok: false, error }`). */
export function parseReply<N extends ProcedureName>(name: N, raw: unknown): Parsed<Reply<OutputOf<N>>> {
  return parseWith(replySchema(PROCEDURES[name].output as z.ZodType<OutputOf<N>, z.ZodTypeDef, unknown>), raw, '$');
}

/** Any schema against any value, errors located under `root`. */
export function parseWith<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, raw: unknown, root = '$'): Parsed<T> {
  let result: z.SafeParseReturnType<unknown, T>;
  try {
    result = schema.safeParse(raw);
  } catch (e) {
    // a value zod cannot even walk (a throwing getter, a revoked proxy): refused, never thrown
    return refuse(root, `the message could not be read (${e instanceof Error ? e.message : 'unknown error'})`);
  }
  if (result.success) return { ok: true, value: result.data };
  const located = locate(result.error.issues, raw);
  return refuse(pathString(root, located.path), located.message);
}

function refuse(path: string, message: string): { readonly ok: false; readonly error: ErrorBody } {
  return { ok: false, error: { code: 'invalid-request', message: `${path}: ${message}`, path } };
}

function unknownProcedure(name: unknown): ErrorBody {
  const known = PROCEDURE_NAMES.join(', ');
  if (typeof name !== 'string') return { code: 'invalid-request', message: `$.name: expected a procedure name, got ${describeValue(name)}; known procedures: ${known}`, path: '$.name', details: { known: [...PROCEDURE_NAMES] } };
  const guess = closest(name, PROCEDURE_NAMES);
  const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
  return { code: 'invalid-request', message: `$.name: unknown procedure ${describeValue(name)}${hint}; known procedures: ${known}`, path: '$.name', details: { known: [...PROCEDURE_NAMES] } };
}

// ---- locating zod issues --------------------------------------------------------------------

type Path = readonly (string | number)[];

interface Located {
  readonly path: Path;
  readonly message: string;
}

/** The first issue, in words; a union's issues are those of the branch that came closest. */
function locate(issues: readonly z.ZodIssue[], raw: unknown): Located {
  const issue = issues[0];
  if (!issue) return { path: [], message: 'invalid' };
  if (issue.code === 'invalid_union') return locate(closestBranch(issue.unionErrors.map((e) => e.issues)), raw);
  // point at the first unknown field itself, not at the object holding it
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) return { path: [...issue.path, issue.keys[0]], message: describeIssue(issue, undefined) };
  return { path: issue.path, message: describeIssue(issue, valueAt(raw, issue.path)) };
}

/** The branch with the fewest issues (ties: the first listed), i.e. the one the sender most likely meant. */
function closestBranch(branches: readonly (readonly z.ZodIssue[])[]): readonly z.ZodIssue[] {
  let best: readonly z.ZodIssue[] = [];
  for (const issues of branches) if (best.length === 0 || (issues.length > 0 && issues.length < best.length)) best = issues;
  return best;
}

function describeIssue(issue: z.ZodIssue, value: unknown): string {
  const got = describeValue(value);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `missing, expected ${expectedType(issue.expected)}`;
      return `expected ${expectedType(issue.expected)}, got ${got}`;
    case 'not_finite':
      return `expected a finite number, got ${got}`;
    case 'too_small':
      return `expected ${bound(issue.type, issue.inclusive ? 'at least' : 'more than', issue.minimum)}, got ${sizeOf(issue.type, value, got)}`;
    case 'too_big':
      return `expected ${bound(issue.type, issue.inclusive ? 'at most' : 'less than', issue.maximum)}, got ${sizeOf(issue.type, value, got)}`;
    case 'invalid_enum_value':
      return `expected one of ${issue.options.map((o) => `'${String(o)}'`).join(', ')}, got ${got}`;
    case 'invalid_union_discriminator':
      return `expected one of ${issue.options.map((o) => `'${String(o)}'`).join(', ')}, got ${got}`;
    case 'invalid_literal':
      return `expected ${describeValue(issue.expected)}, got ${got}`;
    case 'unrecognized_keys':
      return issue.keys.length > 1 ? `unexpected field (also ${issue.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : 'unexpected field';
    default:
      return issue.message;
  }
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a finite number';
    case 'integer':
      return 'an integer';
    case 'object':
    case 'array':
      return `an ${expected}`;
    case 'null':
    case 'undefined':
      return expected;
    default:
      return `a ${expected}`;
  }
}

function bound(type: string, relation: string, limit: number | bigint): string {
  if (type === 'array' || type === 'set') return `${relation} ${limit} item(s)`;
  if (type === 'string') return Number(limit) === 1 && relation === 'at least' ? 'a non-empty string' : `${relation} ${limit} character(s)`;
  return `a number ${relation} ${limit}`;
}

function sizeOf(type: string, value: unknown, got: string): string {
  if ((type === 'array' || type === 'set') && Array.isArray(value)) return `${value.length} item(s)`;
  if (type === 'string' && typeof value === 'string') return value.length === 0 ? 'an empty string' : `${value.length} character(s)`;
  return got;
}

/** The value at a path of the raw message (undefined when the path does not exist). */
function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function pathString(root: string, path: Path): string {
  return path.reduce<string>((p, key) => childPath(p, key), root);
}
