import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { type CommandIO, UsageError } from '../../main/cli/command.js';
import { showCommand } from '../../main/cli/commands/show.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'instances');

function capture(): { io: CommandIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, out: () => out, err: () => err };
}

/** `ferry show ARGS`, run through the command itself (the CLI table imports every command). */
async function ferry(name: 'show', ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  expect(name).toBe(showCommand.name);
  const { io, out, err } = capture();
  const code = await showCommand.run(args, io);
  return { code, out: out(), err: err() };
}

describe('ferry show', () => {
  it('summarises the seed instance', async () => {
    const { code, out, err } = await ferry('show', join(FIXTURES, 'seed.json'));
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toContain('nodes        4 (4 online, 0 offline)');
    expect(lines).toContain('VMs          6 (6 running, 0 sleeping, 0 ready)');
    // cpu: 4 nodes x 8 = 32, demand 2+4+3+2+3+4 = 18; mem: 4 x 16 = 64, demand 4+8+4+2+6+8 = 32
    expect(lines).toContain('  cpu  capacity 32  demand 18  utilisation 56.3%');
    expect(lines).toContain('  mem  capacity 64  demand 32  utilisation 50.0%');
    // N1 is full on cpu (VM1 2 + VM2 4 + VM4 2 = 8/8): it comes first
    const ranked = lines.slice(lines.indexOf('most loaded nodes') + 1, lines.indexOf('most loaded nodes') + 5);
    expect(ranked[0]).toBe('  N1  3 running VM(s)  cpu 8/8 (100.0%)  mem 14/16 (87.5%)');
    // N2 and N4 tie at 37.5% (cpu 3/8): the lower node id first
    expect(ranked.map((l) => l.trim().slice(0, 2))).toEqual(['N1', 'N3', 'N2', 'N4']);
    expect(lines).toContain('constraints  0 (0 continuous, 0 discrete)');
    expect(lines.at(-1)).toBe('objective    minimizeMTTR');
  });

  it('counts constraints by type and mode', async () => {
    const { code, out } = await ferry('show', join(FIXTURES, 'issue112.json'), '--top', '1');
    expect(code).toBe(0);
    expect(out).toMatch(/constraints {2}9 \(0 continuous, 9 discrete\)/);
    expect(out).toMatch(/among\s+3 {2}\(0 continuous, 3 discrete\)/);
    expect(out).toMatch(/resources {4}none/);
    expect(out.split('\n').filter((l) => l.includes('running VM(s)'))).toHaveLength(1);
  });

  it('flags overloaded nodes', async () => {
    const { code, out } = await ferry('show', join(FIXTURES, 'issue93.json'));
    expect(code).toBe(0);
    // node 0: cpu capacity 8, VM 0 consumes 8: full, not over; nobody is overloaded
    expect(out).not.toMatch(/overloaded/);
    expect(out).toMatch(/cpu {2}capacity 28 {2}demand 10 {2}utilisation 35\.7%/);
  });

  it('exits 1 with the located error on a bad file', async () => {
    const missing = join(FIXTURES, 'does-not-exist.json');
    const { code, out, err } = await ferry('show', missing);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trim()).toBe(`${missing}: no such file`);
  });

  it('refuses bad arguments with a usage error', async () => {
    await expect(ferry('show')).rejects.toThrow(UsageError);
    await expect(ferry('show', 'a.json', '--frobnicate')).rejects.toThrow(/unknown option '--frobnicate'/);
    await expect(ferry('show', 'a.json', '--top', 'x')).rejects.toThrow(/--top needs a non-negative integer/);
    await expect(ferry('show', 'a.json', 'b.json')).rejects.toThrow(/one instance file only/);
  });

  it('is registered in the CLI table (exit 2 and the usage on bad arguments)', async () => {
    const { runCli } = await import('../../main/cli/index.js');
    const { io, out, err } = capture();
    expect(await runCli(['show', join(FIXTURES, 'seed.json')], io)).toBe(0);
    expect(out()).toMatch(/objective {4}minimizeMTTR/);
    expect(await runCli(['show', 'a.json', '--frobnicate'], io)).toBe(2);
    expect(err()).toMatch(/usage: ferry show INSTANCE/);
  });
});
