import { describe, expect, it } from 'vitest';

import { COMMANDS, runCli } from '../../main/cli/index.js';

async function ferry(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('ferry command table (commands load lazily)', () => {
  it('lists each command under the name and summary its module declares', async () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(['show', 'check', 'replay', 'lint', 'plan', 'inventory', 'run', 'runs', 'report', 'demo', 'console']);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
    }
  });

  it('prints every summary for --help and exits 2 without a command', async () => {
    const help = await ferry('--help');
    expect(help.code).toBe(0);
    for (const entry of COMMANDS) expect(help.out).toContain(`  ${entry.name.padEnd(10)} ${entry.summary}`);
    const none = await ferry();
    expect(none.code).toBe(2);
    expect(none.out).toBe(help.out);
  });

  it("shows a command's usage for 'ferry help NAME'", async () => {
    const plan = await COMMANDS.find((c) => c.name === 'plan')?.load();
    const help = await ferry('help', 'plan');
    expect(help.code).toBe(0);
    expect(help.out).toBe(`${plan?.usage ?? '?'}\n`);
  });

  it('refuses an unknown command and names the known ones', async () => {
    const r = await ferry('plna', 'x.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain("ferry: unknown command 'plna'. Commands: show, check, replay, lint, plan");
  });

  it('prints the usage after a bad option (a UsageError) and exits 2', async () => {
    const r = await ferry('plan', '--format', 'xml', 'x.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ferry plan: --format must be text or json, got 'xml'\n\nusage: ferry plan INSTANCE/);
  });
});
