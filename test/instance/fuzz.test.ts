import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { instanceFromJson, modelFromJson, parseInstanceText, parseModelText } from '../../src/instance/json.js';
import type { JsonResult } from '../../src/json/read.js';

const SEED_TEXT = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'instances', 'seed.json'), 'utf8');
const SEED = JSON.parse(SEED_TEXT) as unknown;
/** Real BtrPlace instances with constraints of several kinds. */
const WITH_CONSTRAINTS = ['issue112.json', 'ban-preserve.json', 'issue93.json'].map(
  (name) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'instances', name), 'utf8')) as unknown,
);

/** Either a value, or an error with a JSON path rooted at `$` (and a position for syntax errors). */
function expectValueOrLocatedError(result: JsonResult<unknown>): void {
  if (result.ok) {
    expect(result.value).toBeDefined();
    return;
  }
  expect(result.error.path.startsWith('$')).toBe(true);
  expect(result.error.message.length).toBeGreaterThan(0);
  if (result.error.line !== undefined) {
    expect(result.error.line).toBeGreaterThanOrEqual(1);
    expect(result.error.column).toBeGreaterThanOrEqual(1);
  }
}

/** Replaces the value at a random place of a JSON tree. */
function mutate(value: unknown, picks: number[], replacement: unknown): unknown {
  if (picks.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [pick = 0, ...rest] = picks;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = pick % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[pick % keys.length] ?? '';
  return { ...(value as Record<string, unknown>), [key]: mutate((value as Record<string, unknown>)[key], rest, replacement) };
}

describe('fuzz: bad input never throws', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = new TextDecoder().decode(bytes);
        expectValueOrLocatedError(parseInstanceText(text));
        expectValueOrLocatedError(parseModelText(text));
      }),
      { numRuns: 500 },
    );
  });

  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expectValueOrLocatedError(instanceFromJson(value));
        expectValueOrLocatedError(modelFromJson(value));
        expectValueOrLocatedError(instanceFromJson({ model: value, constraints: [], objective: { id: 'minimizeMTTR' } }));
      }),
      { numRuns: 500 },
    );
  });

  it('the seed instance with one value replaced anywhere', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), (picks, replacement) => {
        const result = instanceFromJson(mutate(SEED, picks, replacement));
        expectValueOrLocatedError(result);
      }),
      { numRuns: 1000 },
    );
  });

  it('instances with constraints, one value replaced anywhere (constraint fields included)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WITH_CONSTRAINTS), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (instance, picks, replacement) => {
        expectValueOrLocatedError(instanceFromJson(mutate(instance, picks, replacement)));
        // and aimed at the constraint list
        expectValueOrLocatedError(instanceFromJson(mutate(instance, [1, ...picks], replacement)));
      }),
      { numRuns: 1000 },
    );
  });

  it('random constraint objects', () => {
    const ids = ['among', 'ban', 'fence', 'gather', 'lonely', 'spread', 'split', 'splitAmong', 'quarantine', 'root', 'online', 'offline', 'maxOnline', 'running', 'ready', 'sleeping', 'killed', 'seq', 'overbook', 'preserve', 'resourceCapacity', 'runningCapacity', 'noDelay', 'Deadline', 'Precedence', 'Serialize', 'Sync'];
    const ids0 = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.array(fc.integer({ min: -1, max: 3 })), fc.array(fc.array(fc.nat(3))), fc.jsonValue({ maxDepth: 1 }));
    const constraint = fc.record(
      { id: fc.constantFrom(...ids), vm: ids0, vms: ids0, node: ids0, nodes: ids0, parts: ids0, vParts: ids0, pParts: ids0, amount: ids0, rc: fc.constantFrom('cpu', 3, null), ratio: fc.oneof(fc.double(), fc.jsonValue()), continuous: fc.oneof(fc.boolean(), fc.jsonValue()), timestamp: fc.string(), vm1: ids0, vm2: ids0 },
      { requiredKeys: ['id'] },
    );
    const model = (WITH_CONSTRAINTS[2] as { model: unknown }).model;
    fc.assert(
      fc.property(fc.array(constraint, { maxLength: 4 }), (constraints) => {
        expectValueOrLocatedError(instanceFromJson({ model, constraints, objective: { id: 'minimizeMTTR' } }));
      }),
      { numRuns: 1000 },
    );
  });

  it('the seed text cut or corrupted at any position', () => {
    fc.assert(
      fc.property(fc.nat({ max: SEED_TEXT.length }), fc.string({ maxLength: 3 }), (at, insert) => {
        expectValueOrLocatedError(parseInstanceText(SEED_TEXT.slice(0, at)));
        expectValueOrLocatedError(parseInstanceText(SEED_TEXT.slice(0, at) + insert + SEED_TEXT.slice(at + 1)));
      }),
      { numRuns: 500 },
    );
  });

  it('syntax errors: the position reported is the corrupted character', () => {
    // positions of structural characters and whitespace (the seed has no spaces inside strings)
    const structural = [...SEED_TEXT].flatMap((c, i) => (' \n{}[]:,'.includes(c) ? [i] : []));
    fc.assert(
      fc.property(fc.constantFrom(...structural), (at) => {
        const text = `${SEED_TEXT.slice(0, at)}#${SEED_TEXT.slice(at + 1)}`;
        const result = parseInstanceText(text);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const { line = 0, column = 0 } = result.error;
        expect(text.split('\n')[line - 1]?.[column - 1]).toBe('#');
      }),
      { numRuns: 300 },
    );
  });
});
