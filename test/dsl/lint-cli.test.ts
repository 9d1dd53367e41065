/** `ferry lint`: diagnostics with source line and caret, exit codes, --format, --import. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { CommandIO } from '../../main/cli/command.js';
import { runCli } from '../../main/cli/index.js';
import { instanceToJson } from '../../src/instance/json.js';
import { namedModel, range } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const instance = file('instance.json', JSON.stringify(instanceToJson({ model: namedModel({ vms: range('VM', 1, 6), nodes: range('N', 1, 4), resources: ['cpu', 'mem'] }), constraints: [], objective: { id: 'minimizeMTTR' } })));

async function lint(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) };
  const code = await runCli(['lint', ...args], io);
  return { code, out, err };
}

describe('ferry lint', () => {
  it('summarises the constraints of a clean script and exits 0', async () => {
    const seed = file('seed.btrp', "spread(VM[2..3]);\npreserve({VM1},'cpu', 3);\noffline(@N4);\nban(VM[1..2], @N1);\n");
    const r = await lint(seed, '--instance', instance);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`${seed}: OK, 5 constraints`);
    expect(r.out).toMatch(/ban\s+2\s+\(2 continuous\)/);
    expect(r.out).toContain('preserve(VM1, "cpu", 3)');
  });

  it('prints file:line:col: error: message, the source line and a caret, and exits 1', async () => {
    const bad = file('bad.btrp', 'spread(VM[2..3]);\nspread(VM12);\nroot(VM1;\n');
    const r = await lint(bad, '--instance', instance);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      [
        `${bad}:2:8: error: unknown VM 'VM12'; did you mean VM2?`,
        '  spread(VM12);',
        '         ^~~~',
        `${bad}:3:9: error: expected ')' to close the arguments of 'root', found ';'`,
        '  root(VM1;',
        '          ^',
        `${bad}: 2 errors`,
        '',
      ].join('\n'),
    );
  });

  it('prints the formatted script with --format', async () => {
    const messy = file('messy.btrp', 'spread( VM[2..3] ) ;   // keep\nfor $v in VM[1..2]{root($v);}');
    const r = await lint(messy, '--instance', instance, '--format');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('spread(VM[2..3]); // keep\nfor $v in VM[1..2] {\n    root($v);\n}\n');
  });

  it('resolves imports given with --import', async () => {
    const dc = file('dc.btrp', 'namespace dc;\n$racks = @N[1..4] % 2;\nexport $racks to *;\n');
    const app = file('app.btrp', 'namespace app;\nimport dc;\namong(VM[1..2], $racks);\n');
    expect((await lint(app, '--instance', instance, '--import', dc)).code).toBe(0);
    const without = await lint(app, '--instance', instance);
    expect(without.code).toBe(1);
    expect(without.err).toContain("no script 'dc' to import");
  });

  it('exits 2 on unreadable files and bad command lines', async () => {
    const seed = file('ok.btrp', 'spread(VM1);');
    const missing = await lint(join(dir, 'nope.btrp'), '--instance', instance);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toContain('no such file');
    expect((await lint(seed, '--instance', join(dir, 'nope.json'))).code).toBe(2);
    const usage = await lint(seed);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('missing --instance INSTANCE');
    expect((await lint(seed, '--instance', instance, '--bogus')).code).toBe(2);
  });
});

describe('ferry lint on runaway input', () => {
  it('caps repeated diagnostics and prints a bounded window of a long line', async () => {
    // one line, 20,000 duplicates: 19,999 'listed twice' warnings
    const line = `spread({${Array.from({ length: 20_000 }, () => 'VM1').join(', ')}});`;
    const script = file('runaway.btrp', `${line}\n`);
    const r = await lint(script, '--instance', instance);
    expect(r.err.length).toBeLessThan(10_000);
    expect(r.err).toContain('and 19989 more like this (warning operation)');
    for (const l of r.err.split('\n')) expect(l.length).toBeLessThan(400);
    expect(r.err).toContain('…');
  });
});
