/** Infeasibility explanations stay small: sets summarised, lines bounded (issue: unclear answers). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { CommandIO } from '../../main/cli/command.js';
import { runCli } from '../../main/cli/index.js';
import { instanceToJson } from '../../src/instance/json.js';
import { MAX_EXPLANATION_LINES, boundLines, describeConstraintSet } from '../../src/solver/explain-text.js';
import { namedModel, range } from '../dsl/support.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function plan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) };
  const code = await runCli(['plan', ...args], io);
  return { code, out, err };
}

describe('explanations', () => {
  it('500 offline nodes: one summarised term, a bounded number of lines', async () => {
    // 502 nodes, 1,004 VMs of 5 cpu each on nodes of 10: taking 500 nodes offline cannot fit
    const model = namedModel({ vms: range('VM', 1, 1004), nodes: range('N', 1, 502), resources: ['cpu'] });
    const instance = join(dir, 'offline.json');
    writeFileSync(instance, JSON.stringify(instanceToJson({ model, constraints: [], objective: { id: 'minimizeMTTR' } } as never)));
    const script = join(dir, 'offline.btrp');
    writeFileSync(script, 'offline(@N[1..500]);\n');
    const r = await plan(instance, '--script', script, '--time-limit', '5');
    expect(r.code).toBe(2);
    expect(r.out).toContain('offline(N[1..500])');
    expect(r.out).not.toContain('offline(N2)');
    expect(r.out.length).toBeLessThan(4000);
    expect(r.out.split('\n').length).toBeLessThanOrEqual(MAX_EXPLANATION_LINES + 2);
  });

  it('groups single-element constraints, keeps sets short and bounds terms and lines', () => {
    const model = namedModel({ vms: range('VM', 1, 30), nodes: range('N', 1, 20), resources: [] });
    const offline = [3, 4, 5, 9].map((node) => ({ id: 'offline', continuous: false, args: { node } }));
    const spread = { id: 'spread', continuous: true, args: { vms: Array.from({ length: 30 }, (_, i) => i) } };
    expect(describeConstraintSet(model, [...offline, spread] as never)).toEqual(['offline({N4, N5, N6, N10})', 'spread({VM[1..30]})']);
    const many = Array.from({ length: 20 }, (_, i) => ({ id: 'spread', continuous: true, args: { vms: [i, i + 1] } }));
    expect(describeConstraintSet(model, many as never)).toHaveLength(9);
    expect(boundLines(Array.from({ length: 50 }, (_, i) => `line ${i}`))).toHaveLength(MAX_EXPLANATION_LINES);
  });

  it('a too-short --window is named, with the lower bound, not blamed on capacity', async () => {
    for (const solver of [[], ['--solver', 'native']]) {
      const r = await plan('examples/seed.json', '--script', 'examples/seed.btrp', '--window', '1', '--time-limit', '5', ...solver);
      expect(r.code).toBeGreaterThan(0);
      expect(r.out).toContain('the plan needs at least 6 s');
      expect(r.out).toContain('(--window) allows 1 s');
      expect(r.out).not.toContain('capacity');
    }
  });
});
