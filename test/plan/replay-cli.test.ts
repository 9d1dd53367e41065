import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CommandIO, UsageError } from '../../main/cli/command.js';
import { replayCommand } from '../../main/cli/commands/replay.js';
import { modelFromJson } from '../../src/instance/json.js';
import { planToJson } from '../../src/plan/json.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'plans');
const instance = join(fixtures, 'small-instance.json');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  // The command alone, not the whole CLI table: colleagues' commands stay out of this test.
  try {
    const code = await replayCommand.run(args, io);
    return { code, out, err };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, out, err: e.message };
    throw e;
  }
}

describe('ferry replay', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-replay-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the final mapping of a plan that replays', async () => {
    const r = await run(instance, join(fixtures, 'small-plan-ok.json'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain("6 actions over 0'06, replayed without problem");
    expect(r.out).toContain('  N1: VM1\n');
    expect(r.out).toContain('  N2: VM2\n');
    expect(r.out).toContain('  N3: VM3, VM4\n');
    expect(r.out).toContain('  N4: offline\n');
    expect(r.out).toContain('  N5: VM5\n');
    expect(r.out.indexOf('  N1:')).toBeLessThan(r.out.indexOf('  N5:'));
  });

  it('also prints the plan when asked', async () => {
    const human = await run(instance, join(fixtures, 'small-plan-ok.json'), '--show', 'human');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^0'00 to 0'02: relocate\(VM3,N3\)\n0'00 to 0'03: relocate\(VM4,N3\)\n0'00 to 0'04: boot\(N5\)\n/);
    const btrplace = await run(instance, join(fixtures, 'small-plan-ok.json'), '--show', 'btrplace');
    expect(btrplace.out).toMatch(/^0:2 \{action=migrate\(vm=vm#3, from=node#4, to=node#3, bw=2147483647\)\}\n0:3 \{action=migrate\(vm=vm#4, /);
    expect((await run(instance, join(fixtures, 'small-plan-ok.json'), '--show', 'xml')).code).toBe(2);
  });

  it('prints the first problem and exits 1', async () => {
    const r = await run(instance, join(fixtures, 'small-plan-overload.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain("small-plan-overload.json: 0'03 to 0'05: N2 over 'mem' capacity (70 > 64) while VM2 arrives and VM4 has not left yet");
  });

  /** small-instance.json with `edit` applied to its JSON, written to the temporary directory. */
  async function instanceWith(name: string, edit: (json: { model: { views: { rcId?: string; vms?: Record<string, number> }[] }; constraints: unknown[] }) => void): Promise<string> {
    const json = JSON.parse(await readFile(instance, 'utf8')) as Parameters<typeof edit>[0];
    edit(json);
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(json));
    return file;
  }

  it('counts capacities with the overbook ratios of the instance, as the checker does', async () => {
    // N2 holds 70 MiB while VM2 arrives: over its 64, within ⌊64 × 1.1⌋ = 70
    const overbooked = await instanceWith('overbooked.json', (j) => j.constraints.push({ id: 'overbook', node: 2, rc: 'mem', ratio: 1.1, continuous: true }));
    const ok = await run(overbooked, join(fixtures, 'small-plan-overload.json'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    // a smaller ratio (⌊64 × 1.05⌋ = 67) still overloads it, with the overbooked capacity named
    const tight = await instanceWith('tight.json', (j) => j.constraints.push({ id: 'overbook', node: 2, rc: 'mem', ratio: 1.05, continuous: true }));
    const over = await run(tight, join(fixtures, 'small-plan-overload.json'));
    expect(over.code).toBe(1);
    expect(over.err).toContain("N2 over 'mem' capacity (70 > 67)");
  });

  it('does not report an overbooked host over capacity from the start', async () => {
    // N1 holds VM1 (20) and VM2 (now 50): 70 MiB on 64 physical, ⌊64 × 1.5⌋ = 96 overbooked
    const bigger = (j: Parameters<Parameters<typeof instanceWith>[1]>[0]): void => {
      const mem = j.model.views.find((v) => v.rcId === 'mem');
      if (mem?.vms) mem.vms['2'] = 50;
    };
    const physical = await instanceWith('physical.json', bigger);
    const plan = join(dir, 'empty-plan.json');
    await writeFile(plan, JSON.stringify({ actions: [] }));
    expect((await run(physical, plan)).err).toContain("N1 is over 'mem' capacity from the start (70 > 64)");
    const overbooked = await instanceWith('overbooked-start.json', (j) => {
      bigger(j);
      j.constraints.push({ id: 'overbook', node: 1, rc: 'mem', ratio: 1.5, continuous: true });
    });
    const r = await run(overbooked, plan);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('reads gzipped models and full plans, and warns when the plan origin differs', async () => {
    const raw = JSON.parse(await readFile(instance, 'utf8')) as { model: unknown };
    const model = modelFromJson(raw.model);
    if (!model.ok) throw new Error(model.error.message);
    const gzModel = join(dir, 'model.json.gz');
    await writeFile(gzModel, gzipSync(JSON.stringify(raw.model)));
    const plan = join(dir, 'plan.json');
    await writeFile(plan, JSON.stringify(planToJson({ origin: model.value, actions: [{ kind: 'migrateVM', vm: 1, from: 1, to: 3, start: 0, end: 2 }] })));
    const same = await run(gzModel, plan);
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    expect(same.out).toContain('  N3: VM1\n');

    const other = model.value.clone();
    other.resource('mem')?.setConsumption(1, 21);
    await writeFile(plan, JSON.stringify(planToJson({ origin: other, actions: [{ kind: 'migrateVM', vm: 1, from: 1, to: 3, start: 0, end: 2 }] })));
    const differs = await run(instance, plan);
    expect(differs.code).toBe(0);
    expect(differs.err).toMatch(/^warning: .*plan\.json: the plan's origin differs from the model of/);
  });

  it('locates errors in the files', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"actions": [\n  {"id": "bootNode", "start": 0, "end": 1, "node": 9}\n]}');
    const r = await run(instance, bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.json: $.actions[0].node: undeclared node 9');
    await writeFile(bad, '{"actions": [\n  {"id": "bootNode", "start": 0 "end": 1}\n]}');
    const syntax = await run(instance, bad);
    expect(syntax.code).toBe(1);
    expect(syntax.err).toMatch(/bad\.json: 2:33: /);
    const missing = await run(instance, join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.json');
    expect((await run(instance)).code).toBe(2);
  });
});
