import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../../main/cli/index.js';

// The seed cluster without per-VM durations: memory is in MiB (VM3 4 GiB on N4, VM4 2 GiB on N1),
// N4 has a 25 Gbit/s link, the others the default 10 Gbit/s.
let dir: string;
let instanceFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-migration-time-'));
  const seed = JSON.parse(await readFile('examples/seed.json', 'utf8')) as { model: { attributes: unknown } };
  seed.model.attributes = { nodes: { '3': { linkGbps: 25 } }, vms: {} };
  instanceFile = join(dir, 'seed-memory.json');
  await writeFile(instanceFile, JSON.stringify(seed));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function planJson(...extra: string[]): Promise<{ code: number; actions: { id: string; vm?: number; start: number; end: number }[]; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['plan', instanceFile, '--script', 'examples/seed.btrp', '--format', 'json', ...extra], {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
  });
  const parsed = code === 0 ? (JSON.parse(out) as { actions: { id: string; vm?: number; start: number; end: number }[] }) : { actions: [] };
  return { code, actions: parsed.actions, err };
}

describe('ferry plan --migration-time', () => {
  it('memory: each live migration lasts ceil(GiB x 8 / Gbit/s) of its source link', async () => {
    const { code, actions, err } = await planJson('--migration-time', 'memory');
    expect(code, err).toBe(0);
    const migrations = actions.filter((a) => a.id === 'migrateVM');
    expect(migrations.length).toBe(2);
    for (const m of migrations) {
      // VM3 (id 2): 4 GiB over N4's 25 Gbit/s = 2 s; VM4 (id 3): 2 GiB over 10 Gbit/s = 2 s;
      // VM1 (id 0): 4 GiB over 10 Gbit/s = 4 s; VM2 (id 1): 8 GiB over 10 Gbit/s = 7 s.
      const expected = { 0: 4, 1: 7, 2: 2, 3: 2 }[m.vm as 0 | 1 | 2 | 3];
      expect(m.end - m.start).toBe(expected);
    }
  });

  it('attributes (the default): BtrPlace durations, 1 s per migration without a migrate attribute', async () => {
    const { code, actions, err } = await planJson();
    expect(code, err).toBe(0);
    for (const m of actions.filter((a) => a.id === 'migrateVM')) expect(m.end - m.start).toBe(1);
  });

  it('refuses an unknown mode with the usage', async () => {
    const { code, err } = await planJson('--migration-time', 'fast');
    expect(code).toBe(2);
    expect(err).toContain("--migration-time must be attributes or memory, got 'fast'");
  });
});
