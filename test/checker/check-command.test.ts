import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../../main/cli/index.js';
import { instanceToJson } from '../../src/instance/json.js';
import { actionToJson, planToJson } from '../../src/plan/json.js';
import { buildModel, constraint, ids, instanceOf, migrate, planOf } from './support.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

async function ferry(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['check', ...args], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

// VM2 joins VM3 on N2 from 0'02 while VM3 only leaves at 0'05
const model = buildModel({ on: { N1: ['VM2'], N2: ['VM3'], N3: [] } });
const spread = constraint('spread', true, { vms: ids('VM2', 'VM3') });
const goodActions = [migrate('VM3', 'N2', 'N3', 0, 2), migrate('VM2', 'N1', 'N2', 2, 5)];
const badActions = [migrate('VM3', 'N2', 'N3', 1, 5), migrate('VM2', 'N1', 'N2', 2, 4)];

describe('ferry check', () => {
  it('prints "plan OK" and exits 0 for a valid plan', async () => {
    const instance = await write('ok-instance.json', JSON.stringify(instanceToJson(instanceOf(model, [spread]))));
    const plan = await write('ok-plan.json', JSON.stringify(planToJson(planOf(model, goodActions))));
    const r = await ferry(instance, plan);
    expect(r.err).toBe('');
    expect(r.out).toBe("plan OK: 2 actions, duration 0'05, every constraint holds\n");
    expect(r.code).toBe(0);
  });

  it('prints every violation with its interval and actions, and exits 1', async () => {
    const instance = await write('bad-instance.json', JSON.stringify(instanceToJson(instanceOf(model, [spread]))));
    const plan = await write('bad-plan.json.gz', gzipSync(JSON.stringify(planToJson(planOf(model, badActions)))));
    const r = await ferry(instance, plan);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'plan REJECTED: 1 broken rule',
      "- spread({VM2, VM3}) broken from 0'02 to 0'05: VM2 placed on N2 while VM3 is still there (as VM2 migrates from N1 to N2, 0'02 to 0'04)",
      "    0'02 to 0'04: VM2 migrates from N1 to N2",
      '',
    ]);
  });

  it('reads a plan without origin (a bare array of actions) against the instance model', async () => {
    const instance = await write('bare-instance.json', JSON.stringify(instanceToJson(instanceOf(model, [spread]))));
    const plan = await write('bare-plan.json', JSON.stringify(goodActions.map(actionToJson)));
    const r = await ferry(instance, plan);
    expect(r.out).toMatch(/^plan OK: 2 actions/);
    expect(r.code).toBe(0);
  });

  it('exits 2 with a located error on bad input', async () => {
    const instance = await write('in.json', JSON.stringify(instanceToJson(instanceOf(model, [spread]))));
    const syntax = await write('syntax.json', '{"origin": {},\n  "actions": [ }');
    let r = await ferry(instance, syntax);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/syntax\.json:2:\d+: invalid JSON/);

    const wrongField = await write('field.json', JSON.stringify([{ ...actionToJson(goodActions[0] as never), vm: 'VM3' }]));
    r = await ferry(instance, wrongField);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/field\.json: \$\[0\]\.vm: expected/);

    r = await ferry(join(dir, 'missing.json'), wrongField);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.json: no such file/);

    r = await ferry(instance);
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing PLAN.json file');
  });

  it('adds the constraints of a --script to the instance ones', async () => {
    const instance = await write('plain-instance.json', JSON.stringify(instanceToJson(instanceOf(model))));
    const plan = await write('plain-plan.json', JSON.stringify(planToJson(planOf(model, badActions))));
    expect((await ferry(instance, plan)).code).toBe(0);
    const script = await write('spread.btrp', 'namespace spread;\nspread({VM2, VM3});\n');
    const r = await ferry(instance, plan, '--script', script);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain("- spread({VM2, VM3}) broken from 0'02 to 0'05: ");
  });

  it('exits 2 with every located error of a bad script', async () => {
    const instance = await write('plain2-instance.json', JSON.stringify(instanceToJson(instanceOf(model))));
    const plan = await write('plain2-plan.json', JSON.stringify(planToJson(planOf(model, goodActions))));
    const script = await write('bad.btrp', 'namespace bad;\nspread({VM2, VM9});\nsprad({VM2, VM3});\n');
    const r = await ferry(instance, plan, '--script', script);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.btrp:2:\d+: error: /);
    expect(r.err).toMatch(/bad\.btrp:3:\d+: error: /);
  });
});
