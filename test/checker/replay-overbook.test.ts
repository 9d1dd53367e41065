import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CommandIO } from '../../main/cli/command.js';
import { replayCommand } from '../../main/cli/commands/replay.js';
import { withOverbooking } from '../../src/checker/overbooking.js';
import { checkPlan } from '../../src/checker/plan-checker.js';
import { buildModel, constraint, id, planOf } from './support.js';

/**
 * Issue 15 §2: `ferry replay` counts capacities as the checker does, with the instance's overbook
 * ratios: a CPU-overcommitted host (more vCPUs than cores, allowed by an overbook ratio) is not
 * over capacity from the start.
 */

const fixture = join(import.meta.dirname, '..', 'fixtures', 'plans', 'small-instance.json');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await replayCommand.run(args, io);
  return { code, out, err };
}

describe('ferry replay and overbook ratios', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-replay-overbook-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** small-instance.json with a cpu view: N1 has 8 cores and runs VM1 and VM2 with 6 vCPUs each. */
  async function instance(name: string, constraints: unknown[]): Promise<string> {
    const json = JSON.parse(await readFile(fixture, 'utf8')) as { model: { views: unknown[] }; constraints: unknown[] };
    json.model.views.push({ id: 'shareableResource', rcId: 'cpu', defCapacity: 8, defConsumption: 0, nodes: { '1': 8 }, vms: { '1': 6, '2': 6, '3': 2, '4': 2, '5': 2 } });
    json.constraints = constraints;
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(json));
    return file;
  }

  it('a CPU-overcommitted host within its ratio replays; without the ratio it is over from the start', async () => {
    const plan = join(dir, 'migrate.json');
    // VM3 (2 vCPUs) joins N1 for a while: 14 on 8 cores, within ⌊8 × 2⌋ = 16
    await writeFile(plan, JSON.stringify({ actions: [{ id: 'migrateVM', vm: 3, from: 4, to: 1, start: 0, end: 2 }] }));
    const physical = await run(await instance('physical.json', []), plan);
    expect(physical.code).toBe(1);
    expect(physical.err).toMatch(/N1 is over 'cpu' capacity from the start \(12 > 8\)/);
    const overbooked = await run(await instance('overbooked.json', [{ id: 'overbook', node: 1, rc: 'cpu', ratio: 2, continuous: false }]), plan);
    expect(overbooked.err).toBe('');
    expect(overbooked.code).toBe(0);
    expect(overbooked.out).toContain('  N1: VM1, VM2, VM3\n');
  });

  it('the smallest of several ratios counts: over it, the overbooked capacity is named', async () => {
    const plan = join(dir, 'migrate-more.json');
    await writeFile(plan, JSON.stringify({ actions: [{ id: 'migrateVM', vm: 3, from: 4, to: 1, start: 0, end: 2 }] }));
    const file = await instance('two-ratios.json', [
      { id: 'overbook', node: 1, rc: 'cpu', ratio: 2, continuous: false },
      { id: 'overbook', node: 1, rc: 'cpu', ratio: 1.5, continuous: true },
    ]);
    const r = await run(file, plan);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/N1 over 'cpu' capacity \(14 > 12\)/);
  });

  it('a ratio beyond the argument range (1e308) is the located argument error, never a RangeError nor an infinite capacity', () => {
    const model = buildModel({ on: { N1: ['VM1'] }, rc: { cpu: { cap: 8, cons: 4 } } });
    const absurd = constraint('overbook', true, { node: id('N1'), rc: 'cpu', ratio: 1e308 });
    // the entry's typed reader refuses it (the checker reports it, located); it raises no capacity
    expect(withOverbooking(planOf(model, []), [absurd])).toBeUndefined();
    const report = checkPlan({ model, constraints: [absurd], objective: { id: 'minimizeMTTR' } }, planOf(model, []));
    expect(report.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^constraints\[0\]\.ratio: 1e\+308 is out of range/)]);
    // the largest ratio accepted still gives an exact, finite capacity
    const raised = withOverbooking(planOf(model, []), [constraint('overbook', true, { node: id('N1'), rc: 'cpu', ratio: 2_147_483_647 })]);
    expect(raised?.origin.resource('cpu')?.capacity(id('N1'))).toBe(8 * 2_147_483_647);
  });
});
