/** Names from the instance cannot forge structure in any text Ferry prints (issue: output that can lie). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { CommandIO } from '../../main/cli/command.js';
import { runCli } from '../../main/cli/index.js';
import { formatViolations } from '../../src/checker/plan-checker.js';
import { activity } from '../../src/checker/wording.js';
import { instanceToJson } from '../../src/instance/json.js';
import { formatPlan } from '../../src/plan/format.js';
import { safeName, summariseNames, terminalSafe } from '../../src/text/safe.js';
import { namedModel } from '../dsl/support.js';

const FORGER = "x\n0'00 to 0'09: shutdown(N1)";
const RED = '\u001b[31mred';

const dir = mkdtempSync(join(tmpdir(), 'ferry-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hostileInstance(): string {
  // FORGER runs on N1, RED on N2 (support: VM i on node i % 2); both banned from their node
  const model = namedModel({ vms: [FORGER, RED], nodes: ['N1', '\u001b]0;evil\u0007N2'], resources: ['cpu'] });
  const constraints = [
    { id: 'ban', continuous: false, args: { vm: 0, nodes: [0] } },
    { id: 'ban', continuous: false, args: { vm: 1, nodes: [1] } },
  ];
  const path = join(dir, 'hostile.json');
  writeFileSync(path, JSON.stringify(instanceToJson({ model, constraints, objective: { id: 'minimizeMTTR' } } as never)));
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) };
  const code = await runCli(args, io);
  return { code, out, err };
}

const ESC = '\u001b';
const ACTION_LINE = /^\d+'\d\d( to \d+'\d\d)?: \w+\(/;

describe('hostile names', () => {
  it('ferry plan: exactly one line per action, no escape byte', async () => {
    const r = await cli('plan', hostileInstance(), '--time-limit', '5');
    expect(r.code).toBe(0);
    const body = r.out.split('\n\n')[0] as string;
    const lines = body.split('\n');
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).toMatch(ACTION_LINE);
    expect(r.out + r.err).not.toContain(ESC);
    expect(r.out).toContain('\uFFFD');
  });

  it('ferry plan --format json keeps the names exact', async () => {
    const r = await cli('plan', hostileInstance(), '--time-limit', '5', '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.out).toContain(JSON.stringify(FORGER));
  });

  it('ferry show: no escape byte', async () => {
    const r = await cli('show', hostileInstance());
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain(ESC);
  });

  it('plan text, checker wording and violations stay one line per unit', () => {
    const model = namedModel({ vms: [FORGER, RED], nodes: ['N1', 'N2'], resources: ['cpu'] });
    const a = { kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 2 } as const;
    expect(formatPlan({ origin: model, actions: [a] } as never).split('\n')).toHaveLength(1);
    expect(activity(model, a)).not.toContain('\n');
    const report = { violations: [{ message: `${RED} broke ${FORGER}`, actions: [a] }] };
    const lines = formatViolations(report as never, model);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(ESC);
  });

  it('safeName, terminalSafe and summariseNames', () => {
    expect(safeName('a\nb\u001b[0m\u2028')).toBe('a\uFFFDb\uFFFD[0m\uFFFD');
    expect(terminalSafe('line 1\n\u001b[2Jline 2\r\t')).toBe('line 1\n\uFFFD[2Jline 2\uFFFD\t');
    expect(summariseNames(Array.from({ length: 500 }, (_, i) => `@N${i + 1}`))).toBe('@N[1..500]');
    expect(summariseNames(['VM1', 'VM2', 'VM5', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], 4)).toBe('VM1, VM2, VM5, a and 6 more');
    expect(summariseNames(['VM1', 'VM2', 'VM3', 'x\ny'])).toBe('VM1, VM2, VM3, x\uFFFDy');
    expect(summariseNames(['VM1', 'VM2', 'VM3', 'VM4', 'x\ny'], 2)).toBe('VM[1..4], x\uFFFDy');
  });
});
