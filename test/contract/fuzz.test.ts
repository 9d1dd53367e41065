import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { PROCEDURE_NAMES, parseMessage, parseRequest } from '../../src/contract/index.js';
import type { Parsed } from '../../src/contract/index.js';
import { type Planned, procedureSamples, seedPlan } from './samples.js';

/**
 * Whatever arrives, parseRequest answers: the value, or a located invalid-request error whose
 * message starts with its path. It never throws.
 */

const nameArb = fc.oneof(fc.constantFrom(...PROCEDURE_NAMES), fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'plan:', 'ferry:plan:compute'), fc.anything());

function expectAnswer(result: Parsed<unknown>): void {
  if (result.ok) return;
  expect(result.error.code).toBe('invalid-request');
  expect(result.error.path).toMatch(/^\$/);
  expect(result.error.message.startsWith(`${result.error.path ?? ''}: `)).toBe(true);
  expect(result.error.message.length).toBeGreaterThan((result.error.path ?? '').length + 2);
}

/** A value with one subtree replaced by `replacement` (chosen by a walk of `choices`). */
function mutate(value: unknown, choices: readonly number[], replacement: unknown, depth = 0): unknown {
  const choice = choices[depth];
  if (choice === undefined || value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length] as string;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
  (copy as Record<string, unknown>)[key] = mutate((value as Record<string, unknown>)[key], choices, replacement, depth + 1);
  return copy;
}

let planned: Planned;
beforeAll(async () => {
  planned = await seedPlan();
});

describe('parseRequest never throws', () => {
  it('random JSON values under random names', () => {
    fc.assert(
      fc.property(nameArb, fc.jsonValue(), (name, input) => {
        expectAnswer(parseRequest(name, input));
      }),
      { numRuns: 2_000 },
    );
  });

  it('random values that are not JSON (Maps, Dates, NaN, undefined, bigints, null prototypes, sparse arrays)', () => {
    fc.assert(
      fc.property(nameArb, fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true }), (name, input) => {
        expectAnswer(parseRequest(name, input));
        expectAnswer(parseMessage({ name, input }));
        expectAnswer(parseMessage(input));
      }),
      { numRuns: 1_000 },
    );
  });

  it('valid requests with one part replaced by something random', () => {
    const samples = procedureSamples(planned);
    const valid = PROCEDURE_NAMES.flatMap((name) => (samples[name].inputs as readonly unknown[]).map((input) => ({ name, input: JSON.parse(JSON.stringify(input)) as unknown })));
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(fc.nat(), { maxLength: 6 }), fc.oneof(fc.jsonValue(), fc.anything()), ({ name, input }, choices, replacement) => {
        expectAnswer(parseRequest(name, mutate(input, choices, replacement)));
      }),
      { numRuns: 1_000 },
    );
  });
});
