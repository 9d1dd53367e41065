/** Editor services: highlighting tokens, completions and hovers, as pure functions of text + model. */
import { describe, expect, it } from 'vitest';

import { completions, hover, tokens } from '../../src/dsl/editor.js';
import { ScriptLibrary } from '../../src/dsl/library.js';
import { namedModel, range } from './support.js';

const model = namedModel({ vms: range('VM', 1, 12), nodes: range('N', 1, 3), resources: ['cpu', 'mem'] });

describe('tokens', () => {
  it('classifies every token for highlighting, comments included', () => {
    const text = "namespace a.b; // c\nVM[1..2] : tiny<boot=7>;\nfor $t in $x { >>spread($t); }\npreserve(VM1, 'cpu', 0x3) ~";
    const kinds = tokens(text).map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual([
      'keyword:namespace', 'keyword:a.b', 'punctuation:;', 'comment:// c',
      'vm:VM', 'punctuation:[', 'number:1', 'operator:..', 'number:2', 'punctuation:]', 'operator::', 'template:tiny', 'operator:<', 'vm:boot', 'operator:=', 'number:7', 'operator:>', 'punctuation:;',
      'keyword:for', 'variable:$t', 'keyword:in', 'variable:$x', 'punctuation:{', 'operator:>>', 'constraint:spread', 'punctuation:(', 'variable:$t', 'punctuation:)', 'punctuation:;', 'punctuation:}',
      'constraint:preserve', 'punctuation:(', 'vm:VM1', 'punctuation:,', "string:'cpu'", 'punctuation:,', 'number:0x3', 'punctuation:)', 'invalid:~',
    ]);
    const first = tokens(text)[0];
    expect(first).toMatchObject({ start: 0, end: 9 });
  });
});

describe('completions', () => {
  it('offers constraints with their signature and parameter docs at the start of a statement', () => {
    const items = completions('spread(VM1);\nres', 16, model);
    const rc = items.find((c) => c.label === 'resourceCapacity');
    expect(rc).toMatchObject({ kind: 'constraint', insertText: 'resourceCapacity(', replaceStart: 13 });
    expect(rc?.detail).toMatch(/^resourceCapacity\(nodes: set of nodes, rc: string, amount: number\)$/);
    expect(rc?.documentation).toContain('- rc: ');
    expect(items.every((c) => c.label.startsWith('res'))).toBe(true);
    const before = completions('bef', 3, model).filter((c) => c.label === 'before');
    expect(before.map((c) => c.detail)).toHaveLength(2);
  });

  it('offers VM names (without the namespace prefix) inside arguments', () => {
    const m = namedModel({ vms: ['app.VM1', 'app.VM2', 'other'] });
    const items = completions('namespace app;\nspread({VM', 25, m);
    expect(items.map((c) => [c.label, c.kind])).toEqual([
      ['VM1', 'vm'],
      ['VM2', 'vm'],
    ]);
    expect(items[0]?.detail).toBe('ready');
  });

  it('offers node names after @, with their state', () => {
    const items = completions('ban(VM1, @N', 11, model);
    expect(items.map((c) => c.label)).toEqual(['@N1', '@N2', '@N3']);
    expect(items[0]).toMatchObject({ replaceStart: 9, kind: 'node' });
    expect(items[0]?.detail).toBe('online, 4 VM(s); cpu 4/10, mem 4/10');
  });

  it('offers the variables in scope after $, even in an unfinished statement', () => {
    const text = '$abc = 1;\n{$p, $q} = VM[1..4] / 2;\nfor $t in {1} { spread($';
    const items = completions(text, text.length, model);
    expect(items.map((c) => [c.label, c.detail])).toEqual([
      ['$me', 'the VMs this script declares'],
      ['$abc', 'an integer'],
      ['$p', 'a set of VMs'],
      ['$q', 'a set of VMs'],
      ['$t', 'loop variable'],
    ]);
    expect(completions('$\n$later = 1;', 1, model).map((c) => c.label)).toEqual(['$me']);
  });

  it('offers resource ids inside quotes, and nothing inside comments', () => {
    const text = "preserve(VM1, 'c";
    expect(completions(text, text.length, model).map((c) => [c.label, c.replaceStart])).toEqual([['cpu', 15]]);
    expect(completions('// spr', 6, model)).toEqual([]);
  });

  it('offers imported variables', () => {
    const library = new ScriptLibrary(['namespace dc; $racks = @N[1..3] % 2; export $racks to *;']);
    const text = 'namespace app;\nimport dc;\namong(VM1, $';
    const items = completions(text, text.length, model, undefined, library);
    expect(items.map((c) => [c.label, c.detail])).toEqual([
      ['$me', 'the VMs this script declares'],
      ['$dc.racks', 'imported'],
      ['$racks', 'imported'],
    ]);
    expect(hover('namespace app;\nimport dc;\n$x = $racks;', 33, model, undefined, library)?.text.split('\n')[0]).toBe('$racks: a set of sets of nodes (2)');
  });
});

describe('hover', () => {
  it("shows a constraint's signature, doc and modes", () => {
    const h = hover('>>spread(VM1);', 4, model);
    expect(h?.span).toEqual({ start: 2, end: 8 });
    expect(h?.text.split('\n')[0]).toBe('spread(vms: set of VMs)');
    expect(h?.text).toContain("unless prefixed by '>>'");
    expect(hover('sprad(VM1);', 1, model)?.text).toBe("unknown constraint 'sprad'");
  });

  it("shows a VM's state and host, and a node's state and load", () => {
    expect(hover('spread(VM1);', 8, model)?.text).toBe('VM VM1 (id 0)\nrunning on N1 (cpu=1, mem=1)');
    expect(hover('ban(VM1, @N2);', 10, model)?.text).toBe('node N2 (id 1)\nonline, 4 VM(s); cpu 4/10, mem 4/10');
    expect(hover('spread(VM99);', 8, model)).toBeUndefined();
  });

  it("shows a variable's value", () => {
    expect(hover('$x = VM[1..3];', 1, model)?.text).toBe('$x: a set of VMs (3)\n{VM1, VM2, VM3}');
    expect(hover('$x = 1;', 4, model)).toBeUndefined();
  });
});
