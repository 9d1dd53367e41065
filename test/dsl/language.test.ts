/**
 * The btrpsl language: lexing, parsing and evaluation of every construct, with BtrPlace's own
 * expected results (ScriptBuilderTest, BtrpSetTest, the example scripts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { lex } from '../../src/dsl/lexer.js';
import { ScriptLibrary } from '../../src/dsl/library.js';
import { parseScript } from '../../src/dsl/script.js';
import type { Value } from '../../src/dsl/values.js';
import type { Model } from '../../src/model/index.js';
import { namedModel, range } from './support.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/scripts/${name}`, import.meta.url)), 'utf8');

function run(text: string, model: Model, library?: ScriptLibrary) {
  return parseScript(text, { model, ...(library ? { library } : {}) });
}

function errors(r: ReturnType<typeof run>): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.message}`);
}

function exported(r: ReturnType<typeof run>, name: string): Value {
  const e = r.exports.find((x) => x.name === name);
  if (!e) throw new Error(`${name} is not exported (exports: ${r.exports.map((x) => x.name).join(', ')})`);
  return e.value;
}

const num = (v: Value): number => {
  if (v.kind !== 'number') throw new Error(`not a number: ${v.kind}`);
  return v.value;
};
const size = (v: Value): number => {
  if (v.kind !== 'set') throw new Error(`not a set: ${v.kind}`);
  return v.items.length;
};
const names = (v: Value): string[] => {
  if (v.kind !== 'set') throw new Error('not a set');
  return v.items.map((x) => (x.kind === 'vm' || x.kind === 'node' ? x.name : x.kind));
};

describe('lexer', () => {
  it('reads every token shape with positions', () => {
    const text = "namespace a.b;\n@helios-12.sophia.grid5000.fr @srv-[0x1..0xff] ].sophia.fr $x.y VM1 'cpu' \"a\\\"b\" 0600 0xBadFace 1.5 1..3 >> >= // c\n/* d */";
    const tokens = lex(text).map((t) => [t.kind, t.text]);
    expect(tokens).toEqual([
      ['identifier', 'namespace'],
      ['identifier', 'a.b'],
      ['punctuation', ';'],
      ['node', '@helios-12.sophia.grid5000.fr'],
      ['node', '@srv-'],
      ['punctuation', '['],
      ['number', '0x1'],
      ['operator', '..'],
      ['number', '0xff'],
      ['punctuation', ']'],
      ['punctuation', '].sophia.fr'],
      ['variable', '$x.y'],
      ['identifier', 'VM1'],
      ['string', "'cpu'"],
      ['string', '"a\\"b"'],
      ['number', '0600'],
      ['number', '0xBadFace'],
      ['number', '1.5'],
      ['number', '1'],
      ['operator', '..'],
      ['number', '3'],
      ['operator', '>>'],
      ['operator', '>='],
      ['comment', '// c'],
      ['comment', '/* d */'],
      ['eof', ''],
    ]);
    const at = lex('x\n  @N1')[1];
    expect(at).toMatchObject({ kind: 'node', start: 4, end: 7, line: 2, column: 3 });
  });

  it('gives a trailing separator of a node name back to the operators', () => {
    expect(lex('@N1-@N2').map((t) => t.text)).toEqual(['@N1', '-', '@N2', '']);
  });
});

describe('numbers and logic (BtrPlace number.btrp, logical.btrp)', () => {
  const model = namedModel({});
  it('computes number.btrp like ScriptBuilderTest.testNumberComputation', () => {
    const r = run(fixture('number.btrp'), model);
    expect(errors(r)).toEqual([]);
    const v = (n: string): number => num(exported(r, n));
    expect([v('$x'), v('$y'), v('$z'), v('$a'), v('$c')]).toEqual([2, 8, 26, 2, 1]);
    expect(v('$f1')).toBeCloseTo(0.7);
    expect(v('$f2')).toBe(3);
    expect(exported(r, '$f2')).toMatchObject({ integer: false });
    expect(v('$f3')).toBeCloseTo(892.5);
    expect([v('$toto'), v('$titi'), v('$foo'), v('$bar'), v('$bi'), v('$baz'), v('$biz')]).toEqual([0, 1, 1, 1, 0, 1, 1]);
  });

  it('computes logical.btrp like ScriptBuilderTest.testLogical', () => {
    const r = run(fixture('logical.btrp'), model);
    expect(errors(r)).toEqual([]);
    expect(['$and1', '$and2', '$and3', '$and4', '$or1', '$or2', '$or3', '$or4', '$h1', '$h2'].map((n) => num(exported(r, n)))).toEqual([0, 0, 0, 1, 1, 1, 1, 0, 1, 1]);
  });

  it('takes branches like ScriptBuilderTest.testIfStatement', () => {
    const m = namedModel({ nodes: range('pastel-', 1, 10, '.b217.home') });
    const r = run(fixture('ifStatement.btrp'), m);
    expect(errors(r)).toEqual([]);
    expect(['$first', '$second', '$third'].map((n) => num(exported(r, n)))).toEqual([1, 1, 5]);
  });

  it('reports non-boolean conditions and divisions by zero', () => {
    const r = run('$x = 7 / 0;\nif 3 { }\n$y = 1 + "a";\n$z = !5;', model);
    expect(errors(r)).toEqual(['1:6 division by 0', "2:4 'if' expects a boolean (a comparison, 0 or 1), got an integer 3", "4:6 '!' expects a boolean (a comparison, 0 or 1), got an integer 5"]);
    expect(r.variables.get('$y')).toEqual({ kind: 'string', value: '1a' });
  });
});

describe('sets (BtrPlace setManip.btrp, BtrpSet)', () => {
  const model = namedModel({ vms: range('setManip.VM', 1, 100), nodes: [...range('pastel-', 1, 100, '.b217.home'), 'pastel-frontend.b217.home'] });
  const r = run(fixture('setManip.btrp'), model);

  it('evaluates setManip.btrp like ScriptBuilderTest.testSetManipulation', () => {
    expect(errors(r)).toEqual([]);
    expect(size(exported(r, '$T1')) + size(exported(r, '$T2')) + size(exported(r, '$T3'))).toBe(100);
    expect([size(exported(r, '$T1')), size(exported(r, '$T2')), size(exported(r, '$T3'))]).toEqual([34, 34, 32]);
    expect(num(exported(r, '$x'))).toBe(12);
    expect(num(exported(r, '$y'))).toBe(3);
    expect(size(exported(r, '$C'))).toBe(90);
    const a = exported(r, '$a');
    expect(a).toMatchObject({ kind: 'set', degree: 2 });
    expect(size(a)).toBe(4);
    expect(a.kind === 'set' ? a.items.map(size) : []).toEqual([33, 33, 33, 1]);
    expect(['$res', '$res2', '$res3'].map((n) => num(exported(r, n)))).toEqual([1, 1, 1]);
  });

  it('resolves suffix ranges to the named nodes, in order', () => {
    const s2 = r.variables.get('$S2');
    expect(s2 && names(s2)).toEqual([...range('pastel-', 1, 10, '.b217.home'), 'pastel-15.b217.home', 'pastel-frontend.b217.home']);
  });

  const m = namedModel({ vms: range('VM', 1, 20), nodes: range('N', 1, 20) });
  it('splits with / into n parts of ⌈|s|/n⌉ and with % into parts of size n', () => {
    const r2 = run('$a = VM[1..10] / 3;\n$b = VM[1..10] % 4;\n$c = VM[1..10] / 10;', m);
    expect(errors(r2)).toEqual([]);
    const sizes = (n: string): number[] => {
      const v = r2.variables.get(n);
      return v?.kind === 'set' ? v.items.map(size) : [];
    };
    expect(sizes('$a')).toEqual([4, 4, 2]);
    expect(sizes('$b')).toEqual([4, 4, 2]);
    expect(sizes('$c')).toEqual(Array(10).fill(1));
  });

  it('unions in order without duplicates, subtracts, and builds cartesian pairs', () => {
    const r2 = run('$u = VM[1..3] + VM[2..5];\n$d = VM[1..5] - {VM2, VM4};\n$p = {VM1, VM2, VM3} * {VM2, VM3};\n$q = {VM1, VM2} ^ 2;', m);
    expect(errors(r2)).toEqual([]);
    expect(names(r2.variables.get('$u') as Value)).toEqual(['VM1', 'VM2', 'VM3', 'VM4', 'VM5']);
    expect(names(r2.variables.get('$d') as Value)).toEqual(['VM1', 'VM3', 'VM5']);
    const p = r2.variables.get('$p') as Value;
    expect(p.kind === 'set' ? p.items.map(names) : []).toEqual([
      ['VM1', 'VM2'],
      ['VM1', 'VM3'],
      ['VM2', 'VM3'],
    ]);
    expect(size(r2.variables.get('$q') as Value)).toBe(1);
  });

  it('rejects BtrPlace testSetManipulationWithErrors operations, each located', () => {
    const text = [
      'VM[1..20] : tinyVMs<migratable,volatile>;',
      '$x = VM[1..10] + VM15;',
      '$y = VM[1..10] + @N[1..20,57];',
      '$z = VM[1..10] + 7;',
      '$a = VM[1..10] - {VM[1..10]};',
      '$b = VM[1..10] / @N1;',
      '$c = VM[1..10] / @N[1,3];',
      '$d = VM[1..10] * VM[21,22];',
      '$e = VM[22,23] / 2;',
    ].join('\n');
    const r2 = run(text, m);
    const errs = errors(r2);
    expect(errs.map((e) => e.split(':')[0])).toEqual(['2', '3', '4', '5', '6', '7', '8', '8', '9', '9']);
    expect(errs[7]).toBe('8:18 this range names 1 more unknown VM: VM22');
    expect(errs[0]).toBe('2:6 cannot add a VM and a set of VMs');
    expect(errs[1]).toContain("unknown node '@N57'");
    expect(errs[4]).toBe('6:6 a set can only be split by an integer, got a node');
    expect(errs[6]).toContain("unknown VM 'VM21'");
  });

  it('gives # the cardinality and refuses it on a number', () => {
    const r2 = run('$n = #VM[1..7];\n$m = #{{VM1}, {VM2, VM3}};\n$k = #3;', m);
    expect(num(r2.variables.get('$n') as Value)).toBe(7);
    expect(num(r2.variables.get('$m') as Value)).toBe(2);
    expect(errors(r2)).toEqual(["3:6 '#' gives the size of a set, got an integer"]);
  });
});

describe('ranges', () => {
  it('mixes bounds, words, variables and reversed bounds (BtrPlace range.btrp: 9 VMs)', () => {
    const m = namedModel({ vms: [...range('range.VM', 1, 20), 'range.VMzip', 'range.VMbaz'] });
    const r = run(fixture('range.btrp'), m);
    expect(errors(r)).toEqual([]);
    expect(names(exported(r, '$foo'))).toEqual(['range.VM5', 'range.VMbaz', 'range.VM7', 'range.VMzip', 'range.VM15', 'range.VM9', 'range.VM10', 'range.VM11', 'range.VM12']);
  });

  it('names hexadecimal ranges the way BtrPlace prints them (no 0x, lowercase)', () => {
    const m = namedModel({ nodes: [...Array.from({ length: 255 }, (_, i) => `srv-${(i + 1).toString(16)}`), 'srv-frontend'] });
    const r = run('$s = @srv-[0x1..0xff, frontend];\n$t = @srv-[0xa..0xc];', m);
    expect(errors(r)).toEqual([]);
    expect(size(r.variables.get('$s') as Value)).toBe(256);
    expect(names(r.variables.get('$t') as Value)).toEqual(['srv-a', 'srv-b', 'srv-c']);
  });

  it('refuses bounds in different bases and non-integer bounds', () => {
    const m = namedModel({ vms: range('VM', 1, 20) });
    const r = run('$a = VM[1..0xF];\n$b = VM[1.5..3];', m);
    expect(errors(r)).toEqual(['1:12 both bounds of a range must be written in the same base (decimal, octal or hexadecimal)', '2:9 range bounds must be integers, got a real number']);
  });

  it('expands variable ranges, in assignments, loops and exports', () => {
    const m = namedModel({ vms: range('VM', 1, 6) });
    const r = run('$T[1..3] = VM[1..6] / 3;\n$n = 0;\nfor $t in $T[1..3] { $n += #$t; }\nexport $T[1..2] to *;', m);
    expect(errors(r)).toEqual([]);
    expect(num(r.variables.get('$n') as Value)).toBe(6);
    expect(r.exports.map((e) => e.name)).toEqual(['$T1', '$T2']);
    expect(names(exported(r, '$T2'))).toEqual(['VM3', 'VM4']);
  });
});

describe('variables and assignments', () => {
  const m = namedModel({ vms: range('multipleAssignment.VM', 1, 6) });
  it('does multiple assignments with _ (BtrPlace multipleAssignment.btrp)', () => {
    const r = run(fixture('multipleAssignment.btrp'), m);
    expect(errors(r)).toEqual([]);
    const short = (n: string): string[] => names(exported(r, n)).map((x) => x.replace('multipleAssignment.', ''));
    expect(short('$t1')).toEqual(['VM1', 'VM2']);
    expect(short('$t3')).toEqual(['VM5', 'VM6']);
    expect(short('$a')).toEqual(['VM4', 'VM5', 'VM6']);
    expect(short('$b')).toEqual(['VM1', 'VM2', 'VM3']);
    expect(short('$t')).toEqual(['VM4', 'VM5', 'VM6']);
    expect(r.variables.has('$f')).toBe(false);
  });

  it('keeps loop variables local and reports unknown variables with a suggestion', () => {
    const r = run('$total = 0;\nfor $i in {1, 2, 3} { $tmp = $i; $total += $i; }\n$x = $tmp;\n$y = $totl;', namedModel({}));
    expect(num(r.variables.get('$total') as Value)).toBe(6);
    expect(errors(r)).toEqual(["3:6 unknown variable '$tmp'", "4:6 unknown variable '$totl'; did you mean $total?"]);
    expect(r.diagnostics.find((d) => d.message.includes('$totl'))?.suggestion).toBe('$total');
  });

  it('forbids assigning $me and reusing a declared name as a loop variable', () => {
    const r = run('$me = 7;\n$t = 1;\nfor $t in {1} { }', namedModel({}));
    expect(errors(r)).toEqual(["1:1 '$me' is the set of VMs this script declares; it cannot be assigned", "3:5 the loop variable '$t' is already declared; pick another name"]);
  });

  it('does not cascade: a failed assignment poisons its variable silently', () => {
    const r = run('$x = VM99;\n$y = $x + $x;\nspread($y);', namedModel({ vms: ['VM1'] }));
    expect(errors(r)).toEqual(["1:6 unknown VM 'VM99'"]);
  });
});

describe('declarations and $me', () => {
  it('sets template and options as attributes, parsed like BtrPlace (testTemplateWithOptions)', () => {
    const m = namedModel({ vms: range('test.template.VM', 1, 3), nodes: range('N', 1, 2) });
    const r = run('namespace test.template;\nVM[1..3] : tinyVMs<migratable, start="7.5", stop=12, hex=0x10>;\n@N[1..2] : defaultNodes;', m);
    expect(errors(r)).toEqual([]);
    const of = (kind: string, id: number): Record<string, unknown> => Object.fromEntries(r.attributes.filter((a) => a.kind === kind && a.id === id).map((a) => [a.key, a.value]));
    expect(of('vm', 0)).toEqual({ template: 'tinyVMs', migratable: true, start: 7.5, stop: 12, hex: 16 });
    expect(of('node', 1)).toEqual({ template: 'defaultNodes' });
    expect(r.attributes.filter((a) => a.kind === 'vm')).toHaveLength(15);
  });

  it('collects the declared VMs in $me (testMeUsage) and refuses redeclarations (testVMReAssignment)', () => {
    const m = namedModel({ vms: range('foo.VM', 1, 10) });
    const r = run('namespace foo;\nVM[1..5] : tiny;\nVM[6..10] : small;\nlonely($me);\nVM1 : other;', m);
    expect(r.constraints).toHaveLength(1);
    expect((r.constraints[0]?.args as { vms: number[] }).vms).toHaveLength(10);
    expect(errors(r)).toEqual(["5:1 VM 'foo.VM1' is already declared in this script"]);
  });

  it('declares {VM1, VM2} sets of elements and refuses non-elements', () => {
    const m = namedModel({ vms: range('VM', 1, 4) });
    const r = run('{VM1, VM2, @N1} : tiny;\n$x : tiny;', m);
    expect(errors(r)).toEqual( ["1:12 unknown node '@N1'", '2:1 only VMs and nodes can be declared from a template']);
  });
});

describe('name resolution', () => {
  it('looks a VM up as ns.X first, then as written; a node as @X then X', () => {
    const m = namedModel({ vms: ['VM1', 'app.VM1', 'VM2'], nodes: ['@N1', 'N2'] });
    const r = run('namespace app;\n$a = {VM1, VM2};\n$b = {@N1, @N2};', m);
    expect(errors(r)).toEqual([]);
    expect((r.variables.get('$a') as Value).kind === 'set' && names(r.variables.get('$a') as Value)).toEqual(['app.VM1', 'VM2']);
    expect(names(r.variables.get('$b') as Value)).toEqual(['@N1', 'N2']);
    const plain = run('$a = {VM1, app.VM1};', m);
    expect(names(plain.variables.get('$a') as Value)).toEqual(['VM1', 'app.VM1']);
  });

  it('suggests names without the namespace prefix', () => {
    const m = namedModel({ vms: range('clients.app1.VM', 1, 6) });
    const r = run('namespace clients.app1;\n$a = VM12;', m);
    expect(errors(r)).toEqual(["2:6 unknown VM 'VM12'; did you mean VM2?"]);
  });
});

describe('imports and exports (BtrPlace examples and testExport)', () => {
  const exporter = 'namespace testExport;\n$nodes = @N[1..10];\n$racks = $nodes % 5;\nexport $racks to *;\nexport $nodes to toto, testExport.*, sysadmin;\nVM[1..2] : tiny;\nexport $me to sysadmin;';
  const m = namedModel({ vms: ['testExport.VM1', 'testExport.VM2'], nodes: range('N', 1, 10) });
  const library = new ScriptLibrary([exporter]);

  it('honours export scopes (textExportRestrictions)', () => {
    const ok = [
      'namespace zog; import testExport; for $n in $testExport.racks { }',
      'namespace toto; import testExport; for $n in $testExport.nodes { }',
      'namespace testExport.bla; import testExport; for $n in $testExport.nodes { } for $r in $testExport.racks {}',
      'namespace sysadmin; import testExport; for $n in $testExport.nodes { } for $r in $testExport.racks {} for $n in $testExport {}',
    ];
    for (const text of ok) expect(errors(run(text, m, library)), text).toEqual([]);
    const bad = [
      'namespace zog; import testExport; for $n in $testExport.nodes { }',
      'namespace sysadmin.foo; import testExport; for $n in $testExport.nodes { }',
      'namespace sysadmin.foo; import testExport; for $v in $testExport { }',
    ];
    for (const text of bad) expect(errors(run(text, m, library)), text).toHaveLength(1);
  });

  it('reports unknown imports with a suggestion, and errors inside imported scripts', () => {
    const lib = new ScriptLibrary([exporter, 'namespace broken; spread(VM404);']);
    const r = run('namespace x;\nimport testExprt;\nimport broken;', m, lib);
    expect(errors(r)).toEqual(["2:8 no script 'testExprt' to import; did you mean testExport?", "3:8 1 error(s) in the imported script 'broken'; first at 1:26: unknown VM 'VM404'"]);
  });

  it('detects import cycles', () => {
    const lib = new ScriptLibrary(['namespace a; import b;', 'namespace b; import a;']);
    const r = run('namespace c; import a;', m, lib);
    expect(errors(r).join('\n')).toContain('import cycle: a → b → a');
  });

  it('runs datacenter + clients.app1 + admin.sysadmin', () => {
    const nodes = [...Array.from({ length: 255 }, (_, i) => `srv-${(i + 1).toString(16)}`), 'srv-frontend', 'srv-210'];
    const model = namedModel({ vms: [...range('clients.app1.VM', 1, 30), 'admin.sysadmin.entropy'], nodes });
    const lib = new ScriptLibrary([fixture('datacenter.btrp'), fixture('app1.btrp'), fixture('sysadmin.btrp')]);
    expect(lib.ids().sort()).toEqual(['admin.sysadmin', 'clients.app1', 'datacenter']);

    const dc = run(fixture('datacenter.btrp'), model, lib);
    expect(errors(dc)).toEqual([]);
    expect(size(exported(dc, '$racks'))).toBe(6);
    expect(size(exported(dc, '$servers'))).toBe(256);

    const app1 = run(fixture('app1.btrp'), model, lib);
    expect(errors(app1)).toEqual([]);
    expect(app1.constraints.map((c) => c.id)).toEqual(['spread', 'spread', 'spread', ...Array(10).fill('root'), 'among']);
    expect(app1.attributes.filter((a) => a.id === 0)).toEqual([
      { kind: 'vm', id: 0, key: 'clone', value: true },
      { kind: 'vm', id: 0, key: 'boot', value: 10 },
      { kind: 'vm', id: 0, key: 'halt', value: 5 },
      { kind: 'vm', id: 0, key: 'template', value: 'large' },
    ]);
    expect((app1.constraints[13]?.args as { parts: number[][] }).parts).toHaveLength(6);

    // sysadmin.btrp uses the legacy name capacity(): reported with today's name, once per statement
    const admin = run(fixture('sysadmin.btrp'), model, lib);
    expect(errors(admin)).toEqual([
      "15:5 'capacity' is an old BtrPlace name; today's constraint is 'runningCapacity'",
      "19:5 'capacity' is an old BtrPlace name; today's constraint is 'runningCapacity'",
    ]);
    const modern = run(fixture('sysadmin.btrp').replaceAll('capacity(', 'runningCapacity('), model, lib);
    expect(errors(modern)).toEqual([]);
    const count = (id: string): number => modern.constraints.filter((c) => c.id === id).length;
    expect([count('root'), count('fence'), count('lonely'), count('runningCapacity'), count('ban')]).toEqual([1, 31, 1, 6 + 256, 30]);
  });

  it('runs helloVWorld', () => {
    const r = run(fixture('helloVWorld.btrp'), namedModel({ vms: range('helloVWorld.VM', 1, 4) }));
    expect(errors(r)).toEqual([]);
    expect(r.constraints.map((c) => [c.id, (c.args as { vms: number[] }).vms])).toEqual([
      ['spread', [0, 1, 2, 3]],
      ['lonely', [0, 1, 2, 3]],
    ]);
    expect(r.attributes).toHaveLength(4);
  });
});

describe('syntax errors and recovery', () => {
  const m = namedModel({ vms: range('VM', 1, 9) });
  it('reports two errors on lines 2 and 5, and still builds the good statements', () => {
    const r = run('spread(VM1);\nspread(VM2 VM3);\nspread(VM4);\n\nban(VM5, );\nlonely(VM6);', m);
    expect(errors(r)).toEqual(["2:12 expected ')' to close the arguments of 'spread', found 'VM3'", '5:10 expected a value (a VM, a @node, a $variable, a number, a string or a set), found \')\'']);
    expect(r.constraints.map((c) => c.id)).toEqual(['spread', 'spread', 'lonely']);
  });

  it('reports a missing ; at the end of the line it is missing from (BtrPlace testMissingEndl)', () => {
    const r = run('namespace foo;\nroot(VM1);root(VM9', namedModel({ vms: ['foo.VM1', 'foo.VM9'] }));
    expect(errors(r)).toEqual(["2:19 expected ')' to close the arguments of 'root', found the end of the script"]);
    const r2 = run('spread(VM1)\nlonely(VM2);', m);
    expect(errors(r2)).toEqual(["1:12 expected ';' at the end of the statement, found 'lonely'"]);
    expect(r2.constraints.map((c) => c.id)).toEqual(['spread', 'lonely']);
  });

  it('recovers inside blocks and reports unbalanced braces', () => {
    const r = run('for $v in VM[1..3] {\n  spread($v;\n  lonely($v);\n}\n}\nroot(VM1);', m);
    expect(errors(r)).toEqual(["2:12 expected ')' to close the arguments of 'spread', found ';'", "5:1 unexpected '}': no block is open here"]);
    expect(r.constraints.map((c) => c.id)).toEqual(['lonely', 'lonely', 'lonely', 'root']);
  });

  it('words its messages for operators', () => {
    const cases: [string, string][] = [
      ['$x = "abc;', '1:6 unterminated string: " has no closing quote on this line'],
      ['/* never closed', "1:1 unterminated comment: '/*' has no closing '*/'"],
      ['spread(VM1) ;\nnamespace late;', '2:1 the namespace must be declared first, before any import or statement'],
      ['$x = 09;', "1:6 '09' is not a valid octal number (a leading 0 means octal: digits 0 to 7)"],
      ['VM1 VM2;', "1:5 expected '(' after 'VM1' to call a constraint, '=' or ':', found 'VM2'"],
      ['$x = [1..3];', "1:6 unexpected '[': a range needs a name glued before it, as in 'VM[1..10]' or '@node-[1..5]'"],
      ['export $x;', "1:10 expected 'to' and the namespaces allowed to import (e.g. 'to *;'), found ';'"],
      ['$x = 3 ~ 4;', "1:8 expected ';' at the end of the statement, found '~'"],
    ];
    for (const [text, expected] of cases) expect(errors(run(text, m)), text).toEqual([expected]);
  });

  it('reports too deep nesting instead of overflowing the stack', () => {
    const r = run(`$x = ${'('.repeat(5000)}1${')'.repeat(5000)};\n$y = ${'1 + '.repeat(3000)}1;\nspread(VM1);`, m);
    expect(errors(r).map((e) => e.split(' ').slice(1, 4).join(' '))).toEqual(['expression nested too', 'expression too deeply']);
    expect(r.constraints).toHaveLength(1);
  });

  it('stops runaway evaluation with a budget', () => {
    const r = parseScript('$x = 0;\nfor $a in {1,2,3,4,5,6,7,8,9,10} { for $b in {1,2,3,4,5,6,7,8,9,10} { for $c in {1,2,3,4,5,6,7,8,9,10} { $x += 1; } } }', { model: m, budget: 2000 });
    expect(errors(r)[0]).toContain('the script needs more than 2,000 evaluation steps');
    const huge = run('$x = VM[1..100000000];', m);
    expect(errors(huge)[0]).toContain('evaluation steps');
  });
});
