/**
 * Fuzz: the CLI in process (runCli with a capturing io) on random command lines for plan, check,
 * lint, show and replay — valid flags with random values, unknown flags, missing values, missing
 * files, directories, garbage and mutated files. Never throws; exit status 0, 1 or 2 (never 70, an
 * internal error); no stack trace on stderr; a plan printed as JSON passes `ferry check`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from '../../main/cli/index.js';
import { parsePlanText } from '../../src/plan/json.js';
import { DEMO_BTRP, SEED_BTRP, SEED_JSON, SEED_PLAN_JSON, mutatedJson, mutatedText, params } from './support.js';

const DIR = mkdtempSync(join(tmpdir(), 'ferry-fuzz-cli-'));
/** Exit statuses seen per command, and printed plans checked (FUZZ_STATS=1 prints them). */
const STATS = new Map<string, Record<string, number>>();
const count = (command: string, key: string): void => {
  const s = STATS.get(command) ?? {};
  s[key] = (s[key] ?? 0) + 1;
  STATS.set(command, s);
};
afterAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  if (process.env['FUZZ_STATS'] === '1') console.log(JSON.stringify(Object.fromEntries(STATS)));
});

const file = (name: string, content: string | Uint8Array): string => {
  const path = join(DIR, name);
  writeFileSync(path, content);
  return path;
};
const garbage = (n: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
};

const FILES = {
  instance: file('seed.json', SEED_JSON),
  script: file('seed.btrp', SEED_BTRP),
  demoScript: file('demo.btrp', DEMO_BTRP),
  plan: file('plan.json', SEED_PLAN_JSON),
  garbageJson: file('garbage.json', garbage(512, 7)),
  garbageBtrp: file('garbage.btrp', garbage(512, 11)),
  garbageGz: file('garbage.json.gz', new Uint8Array([0x1f, 0x8b, 8, 0, ...garbage(64, 3)])),
  empty: file('empty.json', ''),
  dir: ((): string => {
    const d = join(DIR, 'a-directory');
    mkdirSync(d);
    return d;
  })(),
  missing: join(DIR, 'no-such-file.json'),
  mutatedInstance: join(DIR, 'mutated.json'),
  mutatedScript: join(DIR, 'mutated.btrp'),
  mutatedPlan: join(DIR, 'mutated-plan.json'),
};
const ALL_FILES = Object.values(FILES);

const VALUES = [
  '0.5', '1', '2', '3', 'json', 'text', 'native', 'chuffed', 'mttr', 'migrations', 'memory', 'attributes', 'human', 'btrplace',
  '', '-1', '0', '-0', 'NaN', 'Infinity', '1e999', '99999999999999999999', '2147483648', '0x10', '1.5', 'abc', '--time-limit', '-', '\u001b[2J', 'é', 'x'.repeat(5000),
];
/** Time limits stay small whatever is drawn, so one run costs under a second. */
const TIME_LIMITS = ['0.5', '0.1', '0', '-1', 'NaN', 'abc', '', '1e-9', '0.5s', '-0'];

const SCRIPTS = [FILES.script, FILES.demoScript, FILES.mutatedScript, FILES.garbageBtrp];
const INSTANCES = [FILES.instance, FILES.mutatedInstance, FILES.garbageJson, FILES.garbageGz];
/** Each command's flags, with the values that get a call past its usage checks (null: takes no value). */
const FLAGS: Record<string, Record<string, readonly string[] | null>> = {
  plan: {
    '--script': SCRIPTS,
    '--objective': ['mttr', 'migrations', 'memory'],
    '--time-limit': TIME_LIMITS,
    '--solver': ['native', 'native', 'chuffed', 'gecode'],
    '--max-migrations': ['1', '2', '3'],
    '--max-memory': ['4', '16', '0.5'],
    '--max-concurrent': ['1', '2'],
    '--window': ['5', '10', '100'],
    '--migration-time': ['attributes', 'memory'],
    '--format': ['json', 'text'],
  },
  check: { '--script': SCRIPTS },
  lint: { '--instance': INSTANCES, '-i': INSTANCES, '--import': SCRIPTS, '--format': null },
  show: { '--top': ['1', '5', '100'] },
  replay: { '--show': ['human', 'btrplace'] },
};
const UNKNOWN_FLAGS = ['--bogus', '-x', '--', '-', '--help', '-h', '--script=x', '--TIME-LIMIT'];

type Token = { readonly kind: 'operand'; readonly value: string } | { readonly kind: 'flag'; readonly flag: string; readonly value: string | undefined };

function commandLine(command: keyof typeof FLAGS): fc.Arbitrary<string[]> {
  const flags = FLAGS[command] as Record<string, readonly string[] | null>;
  const hostile = fc.oneof(fc.constantFrom(...VALUES), fc.constantFrom(...ALL_FILES), fc.string({ maxLength: 6 }));
  const known: fc.Arbitrary<Token> = fc.constantFrom(...Object.keys(flags)).chain((flag) => {
    const good = flags[flag];
    if (good === null || good === undefined) return fc.constant<Token>({ kind: 'flag', flag, value: undefined });
    const value = flag === '--time-limit' ? fc.constantFrom(...TIME_LIMITS) : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: hostile });
    return fc.record({ kind: fc.constant('flag' as const), flag: fc.constant(flag), value: fc.option(value, { freq: 15, nil: undefined }) });
  });
  const token: fc.Arbitrary<Token> = fc.oneof(
    { weight: 8, arbitrary: known },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('flag' as const), flag: fc.constantFrom(...UNKNOWN_FLAGS), value: fc.option(hostile, { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('operand' as const), value: fc.oneof(fc.constantFrom(...ALL_FILES), hostile) }) },
  );
  // most lines start like a valid call (instance, plan or script first) so the commands get past usage checks
  const start =
    command === 'lint'
      ? fc.constantFrom([FILES.script, '--instance', FILES.instance], [FILES.mutatedScript, '--instance', FILES.instance], [FILES.script, '--instance', FILES.mutatedInstance], [])
      : command === 'check' || command === 'replay'
        ? fc.constantFrom([FILES.instance, FILES.plan], [FILES.instance, FILES.mutatedPlan], [FILES.mutatedInstance, FILES.plan], [])
        : fc.constantFrom([FILES.instance], [FILES.instance], [FILES.mutatedInstance], []);
  return fc.tuple(start, fc.array(token, { maxLength: 4 }), fc.boolean()).map(([head, tokens, json]) => {
    const args = [...head];
    if (command === 'plan') args.push('--time-limit', '0.5', ...(json ? ['--format', 'json'] : []));
    for (const t of tokens) {
      if (t.kind === 'operand') args.push(t.value);
      else args.push(t.flag, ...(t.value === undefined ? [] : [t.value]));
    }
    return args;
  });
}

/** The mutated files every run rewrites. */
const mutatedFiles = fc.record({
  instance: mutatedJson(JSON.parse(SEED_JSON) as unknown, 3),
  script: mutatedText([SEED_BTRP, DEMO_BTRP], 4),
  plan: mutatedJson(JSON.parse(SEED_PLAN_JSON) as unknown, 3),
});

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The operand `ferry plan` reads as its instance, and the last --script, as the command parses them. */
function planInputs(args: readonly string[]): { instance?: string; script?: string } {
  const found: { instance?: string; script?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('-') && a !== '-') {
      if (a === '--script' && args[i + 1] !== undefined) found.script = args[i + 1] as string;
      i++;
    } else found.instance ??= a;
  }
  return found;
}

async function checkRun(command: keyof typeof FLAGS, args: readonly string[], files: { instance: string; script: string; plan: string }): Promise<void> {
  writeFileSync(FILES.mutatedInstance, files.instance);
  writeFileSync(FILES.mutatedScript, files.script);
  writeFileSync(FILES.mutatedPlan, files.plan);
  const argv = [command, ...args];
  let result: { code: number; out: string; err: string };
  try {
    result = await run(argv);
  } catch (e) {
    throw new Error(`runCli threw on ${JSON.stringify(argv)}: ${String(e)}`);
  }
  const where = `ferry ${JSON.stringify(argv).slice(0, 400)} → ${result.code}: ${result.err.slice(0, 400)}`;
  count(command, `exit ${result.code}`);
  if (![0, 1, 2].includes(result.code)) throw new Error(`exit status ${result.code}: ${where}`);
  if (/\n\s+at /.test(`\n${result.err}`)) throw new Error(`stack trace on stderr: ${where}`);
  if (/internal error/.test(result.err)) throw new Error(`internal error: ${where}`);
  if (command === 'plan' && result.code === 0 && result.out.trimStart().startsWith('{')) {
    const plan = parsePlanText(result.out);
    if (!plan.ok) throw new Error(`printed plan does not read back (${plan.error.path}: ${plan.error.message}): ${where}`);
    const planFile = join(DIR, 'printed-plan.json');
    writeFileSync(planFile, result.out);
    const { instance, script } = planInputs(args);
    const check = await run(['check', instance as string, planFile, ...(script === undefined ? [] : ['--script', script])]);
    count(command, 'plans checked');
    if (check.code !== 0) throw new Error(`printed plan fails ferry check (${check.err.slice(0, 400)} ${check.out.slice(0, 400)}): ${where}`);
  }
}

function property(command: keyof typeof FLAGS, numRuns: number): Promise<void> {
  return fc.assert(fc.asyncProperty(commandLine(command), mutatedFiles, (args, files) => checkRun(command, args, files)), params(numRuns));
}

describe('fuzz: ferry CLI in process', () => {
  it('a valid plan call prints a plan the checker accepts (the property below is not vacuous)', async () => {
    const r = await run(['plan', FILES.instance, '--script', FILES.script, '--time-limit', '0.5', '--format', 'json']);
    expect(r.code).toBe(0);
    await checkRun('plan', [FILES.instance, '--script', FILES.script, '--format', 'json'], { instance: SEED_JSON, script: SEED_BTRP, plan: SEED_PLAN_JSON });
  });

  it('ferry show: random command lines', () => property('show', 300));
  it('ferry lint: random command lines', () => property('lint', 300));
  it('ferry check: random command lines', () => property('check', 300));
  it('ferry replay: random command lines', () => property('replay', 300));
  it('ferry plan: random command lines (time limit 0.5 s)', () => property('plan', 80));
});
