/**
 * Hostile numbers and names in instance JSON are refused where they are read, with their JSON
 * path, never carried to the planner (which threw on them: Infinity capacities, a constraint on
 * a resource the model lacks, plans "ending" in 10^304 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { instanceFromJson } from '../../src/instance/json.js';
import { MAX_DURATION } from '../../src/plan/durations.js';

const SEED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'instances', 'seed.json'), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the edits poke at arbitrary JSON on purpose
function seedWith(edit: (json: any) => void): unknown {
  const json = JSON.parse(SEED);
  edit(json);
  return json;
}

/** Sets one VM attribute, whatever attribute tables the fixture has. */
function withVmAttribute(name: string, value: number): unknown {
  return seedWith((j) => {
    j.model.attributes ??= {};
    j.model.attributes.vms ??= {};
    j.model.attributes.vms['0'] = { ...(j.model.attributes.vms['0'] ?? {}), [name]: value };
  });
}

function errorOf(raw: unknown): { path: string; message: string } {
  const result = instanceFromJson(raw);
  if (result.ok) throw new Error('expected an error, got an instance');
  return result.error;
}

describe('instance JSON refuses what no plan could honour', () => {
  it('a constraint on a resource the model does not define: located at its rc', () => {
    const error = errorOf(seedWith((j) => (j.constraints = [{ id: 'preserve', vm: 0, rc: 'gpu', amount: 3 }])));
    expect(error.path).toBe('$.constraints[0].rc');
    expect(error.message).toMatch(/no resource 'gpu'.*'cpu'/);
  });

  it('an overbooking ratio of 1e308: located at the ratio', () => {
    const error = errorOf(seedWith((j) => (j.constraints = [{ id: 'overbook', node: 0, rc: 'cpu', ratio: 1e308, continuous: false }])));
    expect(error.path).toBe('$.constraints[0].ratio');
    expect(error.message).toMatch(/out of range/);
  });

  it('a migrate duration of 1e308 s: located at the attribute, naming the VM', () => {
    const error = errorOf(withVmAttribute('migrate', 1e308));
    expect(error.path).toBe('$.model.attributes.vms["0"].migrate');
    expect(error.message).toMatch(/vm#0.*at most 315360000/);
  });

  it('any numeric constraint argument or duration beyond range is refused, any in range is read (fuzz)', () => {
    const huge = fc.oneof(fc.double({ min: 2 ** 31, max: 1e308, noNaN: true }), fc.double({ min: -1e308, max: -(2 ** 31), noNaN: true }));
    fc.assert(
      fc.property(huge, (x) => {
        expect(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'maxOnline', nodes: [0, 1], amount: Math.trunc(x), continuous: false }]))).ok).toBe(false);
        expect(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'overbook', node: 0, rc: 'cpu', ratio: x, continuous: false }]))).ok).toBe(false);
        expect(instanceFromJson(withVmAttribute('boot', x)).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION }), fc.double({ min: 1, max: 2 ** 31 - 1, noNaN: true }), (d, ratio) => {
        expect(instanceFromJson(withVmAttribute('migrate', d)).ok).toBe(true);
        expect(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'overbook', node: 0, rc: 'cpu', ratio, continuous: false }]))).ok).toBe(true);
      }),
    );
  });
});
