/**
 * Run-time values of btrpsl (BtrPlace's BtrpOperand family): numbers (integer or real, with the
 * base they were written in), strings, VMs, nodes and sets. A set has an element type and a degree
 * (1 = set of elements, 2 = set of sets, ...), like BtrpSet, and keeps insertion order.
 *
 * Set arithmetic follows BtrpSet: `+` union (left order, then new right elements), `-` difference,
 * `*` cartesian product (pairs, each unordered pair once), `/ n` n parts of size ⌈|s|/n⌉, `% n`
 * parts of size n (the last may be smaller), `^ 2` = s * s.
 */

export type ElementType = 'vm' | 'node' | 'number' | 'string';

export interface NumberValue {
  readonly kind: 'number';
  readonly value: number;
  readonly integer: boolean;
  /** how the number prints inside a range (`0xff` → `ff`), as BtrPlace's BtrpNumber.toString */
  readonly base: 8 | 10 | 16;
}
export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}
export interface VmValue {
  readonly kind: 'vm';
  readonly id: number;
  /** the name as resolved in the naming view */
  readonly name: string;
}
export interface NodeValue {
  readonly kind: 'node';
  readonly id: number;
  readonly name: string;
}
export interface SetValue {
  readonly kind: 'set';
  /** element type of the leaves; undefined for a set built empty from nothing */
  readonly elementType: ElementType | undefined;
  readonly degree: number;
  readonly items: readonly Value[];
}

export type Value = NumberValue | StringValue | VmValue | NodeValue | SetValue;

/** Raised by an operation on values; the evaluator turns it into a located diagnostic. */
export class ValueError extends Error {
  override name = 'ValueError';
}

export const TRUE: NumberValue = { kind: 'number', value: 1, integer: true, base: 10 };
export const FALSE: NumberValue = { kind: 'number', value: 0, integer: true, base: 10 };

/**
 * An integer value. Never wrapped modulo 2^32 (that turned 4294967299 into 3): a result beyond
 * the safe-integer range is refused, and the evaluator reports it where it was computed.
 */
export function int(value: number, base: 8 | 10 | 16 = 10): NumberValue {
  const n = Math.trunc(value);
  if (!Number.isSafeInteger(n)) throw new ValueError(`integer overflow: ${value} is beyond ±${Number.MAX_SAFE_INTEGER}`);
  return { kind: 'number', value: n === 0 ? 0 : n, integer: true, base };
}
export function real(value: number): NumberValue {
  return { kind: 'number', value, integer: false, base: 10 };
}
export function bool(b: boolean): NumberValue {
  return b ? TRUE : FALSE;
}

export function elementTypeOf(v: Value): ElementType | undefined {
  return v.kind === 'set' ? v.elementType : v.kind;
}
export function degreeOf(v: Value): number {
  return v.kind === 'set' ? v.degree : 0;
}

/** Identity of a value for set membership (sets compare as sets, like BtrpSet.equals). */
export function keyOf(v: Value): string {
  switch (v.kind) {
    case 'number':
      return `#${v.value}`;
    case 'string':
      return `s:${v.value}`;
    case 'vm':
      return `v:${v.id}`;
    case 'node':
      return `n:${v.id}`;
    case 'set':
      return `{${[...new Set(v.items.map(keyOf))].sort().join(',')}}`;
  }
}

export function makeSet(elementType: ElementType | undefined, degree: number, items: readonly Value[]): SetValue {
  return { kind: 'set', elementType, degree, items };
}

const ELEMENT_WORDS: Record<ElementType, [string, string]> = {
  vm: ['a VM', 'VMs'],
  node: ['a node', 'nodes'],
  number: ['a number', 'numbers'],
  string: ['a string', 'strings'],
};

/** "a set of VMs", "a set of sets of nodes", "an integer", "the string "cpu"". */
export function describeType(v: Value): string {
  if (v.kind === 'number') return v.integer ? 'an integer' : 'a real number';
  if (v.kind !== 'set') return (ELEMENT_WORDS[v.kind] as [string, string])[0];
  if (v.items.length === 0 && v.degree === 1) return v.elementType ? `an empty set of ${ELEMENT_WORDS[v.elementType][1]}` : 'an empty set';
  return describeSetType(v.elementType, v.degree);
}

export function describeSetType(elementType: ElementType | undefined, degree: number): string {
  const leavesWord = elementType ? ELEMENT_WORDS[elementType][1] : 'elements';
  return `a set of ${'sets of '.repeat(Math.max(0, degree - 1))}${leavesWord}`;
}

/** BtrPlace's textual form: what a value contributes inside a range (`VM[$x]`) or a string concatenation. */
export function show(v: Value): string {
  switch (v.kind) {
    case 'number':
      if (!v.integer) return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
      if (v.base !== 10) return radix(v.value, v.base);
      return String(v.value);
    case 'string':
      return v.value;
    case 'vm':
    case 'node':
      return v.name;
    case 'set':
      return `{${v.items.map(show).join(', ')}}`;
  }
}

/** Java's Integer.toHexString/toOctalString for int values (two's complement when negative); plain digits beyond. */
function radix(value: number, base: 8 | 16): string {
  const asInt32 = value < 0 && value >= -0x80000000 ? value >>> 0 : value;
  return asInt32.toString(base);
}

/** Flattens a set to its leaves (or the value itself for an element). */
export function leaves(v: Value): Value[] {
  if (v.kind !== 'set') return [v];
  return v.items.flatMap(leaves);
}

// ---- arithmetic ------------------------------------------------------------------------------

function requireNumber(v: Value, what: string): NumberValue {
  if (v.kind !== 'number') throw new ValueError(`${what} expects a number, got ${describeType(v)}`);
  return v;
}

function numeric(a: NumberValue, b: NumberValue, result: number): NumberValue {
  return a.integer && b.integer ? int(result, a.base) : real(result);
}

function sameShape(a: SetValue, b: Value, verb: string): SetValue {
  if (b.kind !== 'set' || b.degree !== a.degree || (a.elementType && b.elementType && a.elementType !== b.elementType)) {
    throw new ValueError(`cannot ${verb} ${describeType(b)} and ${describeType(a)}`);
  }
  return b;
}

function mergedType(a: SetValue, b: SetValue): ElementType | undefined {
  return a.elementType ?? b.elementType;
}

export function plus(a: Value, b: Value): Value {
  if (a.kind === 'string' || b.kind === 'string') return { kind: 'string', value: show(a) + show(b) };
  if (a.kind === 'number') {
    const r = requireNumber(b, "'+' on a number");
    return numeric(a, r, a.value + r.value);
  }
  if (a.kind === 'set') {
    const s = sameShape(a, b, 'add');
    const seen = new Set(a.items.map(keyOf));
    const items = [...a.items];
    for (const x of s.items) {
      const k = keyOf(x);
      if (!seen.has(k)) {
        seen.add(k);
        items.push(x);
      }
    }
    return makeSet(mergedType(a, s), a.degree, items);
  }
  throw new ValueError(`cannot add ${describeType(b)} to ${describeType(a)} (put single elements in a set: {${show(a)}})`);
}

export function minus(a: Value, b: Value): Value {
  if (a.kind === 'number') {
    const r = requireNumber(b, "'-' on a number");
    return numeric(a, r, a.value - r.value);
  }
  if (a.kind === 'set') {
    const s = sameShape(a, b, 'subtract');
    const removed = new Set(s.items.map(keyOf));
    return makeSet(mergedType(a, s), a.degree, a.items.filter((x) => !removed.has(keyOf(x))));
  }
  throw new ValueError(`cannot subtract ${describeType(b)} from ${describeType(a)}`);
}

export function negate(a: Value): Value {
  const n = requireNumber(a, "unary '-'");
  return n.integer ? int(-n.value, n.base) : real(-n.value);
}

export function times(a: Value, b: Value, budget: (n: number) => void): Value {
  if (a.kind === 'number') {
    const r = requireNumber(b, "'*' on a number");
    return numeric(a, r, a.value * r.value);
  }
  if (a.kind === 'set') {
    const s = sameShape(a, b, 'take the cartesian product of');
    if (s.items.length === 0) return a;
    budget(a.items.length * s.items.length);
    const seen = new Set<string>();
    const pairs: Value[] = [];
    for (const i of a.items) {
      for (const j of s.items) {
        const ki = keyOf(i);
        const kj = keyOf(j);
        if (ki === kj) continue;
        const pairKey = ki < kj ? `${ki}|${kj}` : `${kj}|${ki}`;
        if (seen.has(pairKey)) continue;
        seen.add(pairKey);
        pairs.push(makeSet(mergedType(a, s), a.degree, [i, j]));
      }
    }
    return makeSet(mergedType(a, s), a.degree + 1, pairs);
  }
  throw new ValueError(`cannot multiply ${describeType(a)}`);
}

function integerDivider(b: Value): number {
  if (b.kind !== 'number' || !b.integer) throw new ValueError(`a set can only be split by an integer, got ${describeType(b)}`);
  return b.value;
}

export function divide(a: Value, b: Value): Value {
  if (a.kind === 'number') {
    const r = requireNumber(b, "'/' on a number");
    if (r.value === 0) throw new ValueError('division by 0');
    return numeric(a, r, a.integer && r.integer ? Math.trunc(a.value / r.value) : a.value / r.value);
  }
  if (a.kind === 'set') {
    const parts = integerDivider(b);
    if (parts <= 0) throw new ValueError(`cannot split a set into ${parts} parts`);
    if (parts > a.items.length) throw new ValueError(`cannot split a set of ${a.items.length} into ${parts} parts: the divider exceeds the set's size`);
    const size = Math.ceil(a.items.length / parts);
    return chunk(a, size);
  }
  throw new ValueError(`cannot divide ${describeType(a)}`);
}

export function remainder(a: Value, b: Value): Value {
  if (a.kind === 'number') {
    const r = requireNumber(b, "'%' on a number");
    if (r.value === 0 && a.integer && r.integer) throw new ValueError('division by 0');
    return numeric(a, r, a.value % r.value);
  }
  if (a.kind === 'set') {
    const size = integerDivider(b);
    if (size <= 0) throw new ValueError(`cannot split a set into parts of size ${size}`);
    return chunk(a, size);
  }
  throw new ValueError(`cannot compute the remainder of ${describeType(a)}`);
}

function chunk(a: SetValue, size: number): SetValue {
  const parts: Value[] = [];
  for (let i = 0; i < a.items.length; i += size) parts.push(makeSet(a.elementType, a.degree, a.items.slice(i, i + size)));
  if (parts.length === 0) parts.push(makeSet(a.elementType, a.degree, []));
  return makeSet(a.elementType, a.degree + 1, parts);
}

export function power(a: Value, b: Value, budget: (n: number) => void): Value {
  if (a.kind === 'number') {
    const r = requireNumber(b, "'^'");
    if (r.value <= 0) throw new ValueError(`the exponent must be strictly positive, got ${show(r)}`);
    return numeric(a, r, a.value ** r.value);
  }
  if (a.kind === 'set') {
    if (b.kind !== 'number' || !b.integer || b.value !== 2) throw new ValueError("a set can only be raised to the power 2 (s ^ 2 = s * s)");
    return times(a, a, budget);
  }
  throw new ValueError(`cannot raise ${describeType(a)} to a power`);
}

export function equals(a: Value, b: Value): boolean {
  if (a.kind === 'number' && b.kind === 'number') return a.value === b.value;
  return degreeOf(a) === degreeOf(b) && keyOf(a) === keyOf(b);
}

export function compare(a: Value, b: Value, op: '<' | '<=' | '>' | '>='): NumberValue {
  const x = requireNumber(a, `'${op}'`);
  const y = requireNumber(b, `'${op}'`);
  switch (op) {
    case '<':
      return bool(x.value < y.value);
    case '<=':
      return bool(x.value <= y.value);
    case '>':
      return bool(x.value > y.value);
    case '>=':
      return bool(x.value >= y.value);
  }
}

export function truthy(v: Value, what: string): boolean {
  if (v.kind !== 'number' || (v.value !== 0 && v.value !== 1)) throw new ValueError(`${what} expects a boolean (a comparison, 0 or 1), got ${describeType(v)} ${show(v)}`);
  return v.value === 1;
}

export function not(v: Value): NumberValue {
  return bool(!truthy(v, "'!'"));
}
