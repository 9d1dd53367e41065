/**
 * Shared pieces of the fuzz suite (RELIABILITY.md): seeds, the example inputs, hostile fragments,
 * and mutators for text and JSON. Every property runs with a fixed seed and a bounded numRuns so
 * the suite is reproducible and stays fast; FUZZ_SEED / FUZZ_RUNS_SCALE override them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES = join(ROOT, 'examples');

export const SEED_JSON = readFileSync(join(EXAMPLES, 'seed.json'), 'utf8');
export const SEED_BTRP = readFileSync(join(EXAMPLES, 'seed.btrp'), 'utf8');
export const DEMO_BTRP = readFileSync(join(EXAMPLES, 'demo-maintenance.btrp'), 'utf8');

/** The seed of every property (override: FUZZ_SEED=123 npx vitest run test/fuzz). */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);
const SCALE = Number(process.env['FUZZ_RUNS_SCALE'] ?? 1);

/** fast-check parameters for a property of `numRuns` runs (scaled by FUZZ_RUNS_SCALE). */
export function params(numRuns: number): { seed: number; numRuns: number; endOnFailure: true } {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: true };
}

/** Fragments an attacker or a broken generator would put in a text. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  '99999999999999999999999999',
  '4294967296',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '1e999',
  '0x7fffffff',
  '\u0000',
  '\u0007\u001b[31m',
  '\r',
  '\r\n',
  '\t',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'VMé',
  '@N😀',
  'x'.repeat(10_000),
  '@' + 'N'.repeat(5_000),
  '('.repeat(5_000),
  '{'.repeat(5_000),
  '1+'.repeat(5_000),
  '-'.repeat(5_000),
  '[1..1000]',
  '[1..99999999]',
  '{',
  '}',
  '(',
  ')',
  ';',
  "'",
  '"',
  '//',
  '/*',
  '$',
  '$x = ',
  '..',
  'import ',
  'namespace ',
  'export ',
  '__proto__',
  'constructor',
];

export type TextMutation =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string };

const position = fc.nat({ max: 1_000_000 });

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: position, b: position }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    text: fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ maxLength: 8 })),
  }),
);

/** Applies the mutations in order (positions taken modulo the current length). */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let t = text;
  for (const m of mutations) {
    const n = t.length;
    switch (m.kind) {
      case 'delete': {
        if (n === 0) break;
        const at = m.at % n;
        t = t.slice(0, at) + t.slice(at + m.length);
        break;
      }
      case 'duplicate': {
        if (n === 0) break;
        const at = m.at % n;
        t = t.slice(0, at + m.length) + t.slice(at, at + m.length) + t.slice(at + m.length);
        break;
      }
      case 'swap': {
        if (n < 2) break;
        const a = m.a % n;
        const b = m.b % n;
        const chars = t.split('');
        [chars[a], chars[b]] = [chars[b] as string, chars[a] as string];
        t = chars.join('');
        break;
      }
      case 'insert': {
        const at = n === 0 ? 0 : m.at % (n + 1);
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      }
    }
  }
  return t;
}

/** A mutated version of one of `texts`. */
export function mutatedText(texts: readonly string[], maxMutations = 6): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...texts), fc.array(textMutation, { minLength: 1, maxLength: maxMutations })).map(([t, ms]) => mutateText(t, ms));
}

// ---------------------------------------------------------------------------------------------
// JSON mutation. Raw JSON text that no JS value serialises to (1e999, a `__proto__` key) is put
// in through markers replaced after JSON.stringify.

const RAW = '@@raw:';
const PROTO_KEY = '@@proto@@';

/** `text` verbatim in the JSON (no double quote: JSON.stringify would escape it). */
function raw(text: string): string {
  return `${RAW}${text}@@`;
}

/** Values that break readers: huge, NaN-like, wrong types, deep, long. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(
    null,
    true,
    0,
    -1,
    -0,
    0.5,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 32,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '',
    '0',
    '__proto__',
    'x'.repeat(100_000),
    '\u0000\u001b[2J',
    [],
    {},
    [[[[[]]]]],
    raw('1e999'),
    raw('-1e999'),
    raw('123456789012345678901234567890'),
    raw('1E400'),
    raw('-0.0e-999'),
  ),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => nested(depth)),
  fc.jsonValue({ maxDepth: 1 }).map((v) => ({ [PROTO_KEY]: v })),
  fc.jsonValue({ maxDepth: 1 }).map((v) => ({ [PROTO_KEY]: { polluted: v } })),
);

/** `depth` nested arrays and objects, as raw text (a value that deep would overflow the mutator itself). */
function nested(depth: number): string {
  return raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
}

export type JsonMutation =
  | { readonly kind: 'replace'; readonly pick: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'add'; readonly pick: number; readonly key: string; readonly value: unknown };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostileJsonValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(fc.constantFrom(PROTO_KEY, 'constructor', 'prototype', 'id', '0', '-1', '4294967296', '1e3', ''), fc.string({ maxLength: 6 })),
      value: hostileJsonValue,
    }),
  },
);

interface Slot {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
}

function slots(value: unknown, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 50 || typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out, depth + 1);
    });
  } else {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, out, depth + 1);
    }
  }
  return out;
}

function containers(value: unknown): (Record<string, unknown> | unknown[])[] {
  const list: (Record<string, unknown> | unknown[])[] = [];
  if (typeof value === 'object' && value !== null) list.push(value as Record<string, unknown>);
  for (const s of slots(value)) {
    const v = Array.isArray(s.parent) ? s.parent[s.key as number] : s.parent[s.key as string];
    if (typeof v === 'object' && v !== null) list.push(v as Record<string, unknown>);
  }
  return list;
}

/** A fresh copy (fast-check hands the same constant objects to many runs: a mutation must not change them). */
function copy(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Applies the mutations to a copy of `value` and returns the JSON text. */
export function mutateJson(value: unknown, mutations: readonly JsonMutation[]): string {
  const root = { root: JSON.parse(JSON.stringify(value)) as unknown };
  for (const m of mutations) {
    if (m.kind === 'add') {
      const targets = containers(root.root);
      const target = targets[m.pick % Math.max(1, targets.length)];
      if (target === undefined) continue;
      if (Array.isArray(target)) target.splice(m.pick % (target.length + 1), 0, copy(m.value));
      else target[m.key] = copy(m.value);
      continue;
    }
    const all: Slot[] = [{ parent: root as Record<string, unknown>, key: 'root' }, ...slots(root.root)];
    const slot = all[m.pick % all.length] as Slot;
    if (m.kind === 'replace') {
      if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = copy(m.value);
      else slot.parent[slot.key as string] = copy(m.value);
    } else if (slot.parent !== root) {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
    }
  }
  const text = JSON.stringify(root.root) ?? 'null';
  return text.replaceAll(JSON.stringify(PROTO_KEY), '"__proto__"').replace(/"@@raw:(.*?)@@"/g, '$1');
}

/** A mutated version of `value`'s JSON. */
export function mutatedJson(value: unknown, maxMutations = 4): fc.Arbitrary<string> {
  return fc.array(jsonMutation, { minLength: 1, maxLength: maxMutations }).map((ms) => mutateJson(value, ms));
}

/** Throws unless the JSON error names a JSON path (`$`, `$.model`, `$.actions[3].vm`...). */
export function assertJsonPath(path: unknown, message: unknown): void {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new Error(`error without a JSON path: ${JSON.stringify(path)} (${String(message)})`);
  if (typeof message !== 'string' || message.length === 0) throw new Error(`error without a message at ${path}`);
}

/** A plan `ferry plan examples/seed.json --script examples/seed.btrp --format json` printed (checked). */
export const SEED_PLAN_JSON = "{\"origin\":{\"mapping\":{\"offlineNodes\":[],\"readyVMs\":[],\"onlineNodes\":{\"0\":{\"runningVMs\":[0,1,3],\"sleepingVMs\":[]},\"1\":{\"runningVMs\":[4],\"sleepingVMs\":[]},\"2\":{\"runningVMs\":[5],\"sleepingVMs\":[]},\"3\":{\"runningVMs\":[2],\"sleepingVMs\":[]}}},\"attributes\":{\"nodes\":{\"0\":{\"boot\":120,\"shutdown\":4},\"1\":{\"boot\":120,\"shutdown\":4},\"2\":{\"boot\":120,\"shutdown\":4},\"3\":{\"boot\":120,\"shutdown\":4}},\"vms\":{\"0\":{\"migrate\":2},\"1\":{\"migrate\":4},\"2\":{\"migrate\":2},\"3\":{\"migrate\":1},\"4\":{\"migrate\":3},\"5\":{\"migrate\":4}}},\"views\":[{\"id\":\"shareableResource\",\"rcId\":\"cpu\",\"defCapacity\":8,\"defConsumption\":0,\"nodes\":{},\"vms\":{\"0\":2,\"1\":4,\"2\":3,\"3\":2,\"4\":3,\"5\":4}},{\"id\":\"shareableResource\",\"rcId\":\"mem\",\"defCapacity\":16384,\"defConsumption\":0,\"nodes\":{},\"vms\":{\"0\":4096,\"1\":8192,\"2\":4096,\"3\":2048,\"4\":6144,\"5\":8192}},{\"id\":\"ns\",\"type\":\"vm\",\"map\":{\"VM1\":0,\"VM2\":1,\"VM3\":2,\"VM4\":3,\"VM5\":4,\"VM6\":5}},{\"id\":\"ns\",\"type\":\"node\",\"map\":{\"N1\":0,\"N2\":1,\"N3\":2,\"N4\":3}}]},\"actions\":[{\"id\":\"migrateVM\",\"start\":0,\"end\":1,\"vm\":3,\"from\":0,\"to\":2,\"bw\":2147483647,\"hooks\":{\"pre\":[],\"post\":[]}},{\"id\":\"migrateVM\",\"start\":0,\"end\":2,\"vm\":2,\"from\":3,\"to\":1,\"bw\":2147483647,\"hooks\":{\"pre\":[],\"post\":[]}},{\"id\":\"allocate\",\"start\":1,\"end\":1,\"vm\":0,\"rc\":\"cpu\",\"amount\":3,\"on\":0,\"hooks\":{\"pre\":[],\"post\":[]}},{\"id\":\"shutdownNode\",\"start\":2,\"end\":6,\"node\":3,\"hooks\":{\"pre\":[],\"post\":[]}}]}";
