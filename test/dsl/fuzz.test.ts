/**
 * Fuzzing: random characters and random token soups never make the parser, the evaluator, the
 * formatter or the editor services throw or loop; every diagnostic is located inside the text, and
 * an unreadable character is always reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { completions, hover, tokens } from '../../src/dsl/editor.js';
import { formatScript } from '../../src/dsl/format.js';
import { lex } from '../../src/dsl/lexer.js';
import { ScriptLibrary } from '../../src/dsl/library.js';
import { parseScript } from '../../src/dsl/script.js';
import { namedModel, range } from './support.js';

const model = namedModel({ vms: range('VM', 1, 12), nodes: range('N', 1, 6), resources: ['cpu'] });
const library = new ScriptLibrary(['namespace lib; $x = VM[1..3]; export $x to *;', 'namespace loop; import loop;']);

function exercise(text: string): void {
  const r = parseScript(text, { model, library, budget: 100_000 });
  const lines = text.split('\n').length;
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.endLine > d.line || d.endColumn >= d.column).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
  }
  const invalid = lex(text).some((t) => t.kind === 'invalid');
  if (invalid) expect(r.ok).toBe(false);
  const formatted = formatScript(text);
  expect(typeof formatted).toBe('string');
  if (formatted !== text) expect(formatScript(formatted)).toBe(formatted);
  tokens(text);
  const offset = text.length === 0 ? 0 : (text.charCodeAt(0) * 7) % (text.length + 1);
  completions(text, offset, model);
  hover(text, offset, model);
}

const TOKENS = [
  'namespace', 'import', 'export', 'to', 'for', 'in', 'if', 'else', 'spread', 'ban', 'among', 'before', 'preserve', 'VM1', 'VM', 'lib.*', 'a.b',
  '@N1', '@N', '@N-', '$x', '$T', '$me', '$lib.x', '_', '0', '7', '0x1f', '077', '08', '1.5', '"cpu"', "'x", '(', ')', '{', '}', '[', ']', '].a',
  ',', ';', '..', '=', '+=', '-=', '*=', '/=', '%=', '+', '-', '*', '/', '%', '^', '#', '!', '&&', '||', '==', '!=', '<', '<=', '>', '>=', '>>',
  ':', '<', '//c\n', '/*', '*/', '\n', ' ', '~', '\\', '\u00e9', '\u{1F600}',
];

describe('fuzz', () => {
  it('survives random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), exercise), { numRuns: 300, seed: 7 });
  });

  it('survives random token soups', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(' '));
    const glued = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(''));
    fc.assert(fc.property(fc.oneof(soup, glued), exercise), { numRuns: 800, seed: 11 });
  });

  it('survives mutations of a valid script', () => {
    const base = 'namespace t;\nimport lib;\nVM[1..4] : tiny<boot=2>;\n$s = VM[1..6] / 2;\nfor $p in $s { spread($p); }\nif #$s > 1 { >>ban(VM1, @N[1..3]); } else { root(VM2); }\npreserve(VM3, "cpu", 2);\nexport $s to *;\n';
    const mutation = fc.tuple(fc.nat(base.length), fc.nat(6), fc.string({ maxLength: 4 })).map(([at, cut, insert]) => base.slice(0, at) + insert + base.slice(at + cut));
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 1 }).map((m) => m[0] as string), exercise), { numRuns: 400, seed: 3 });
  });

  it('survives pathological inputs', () => {
    for (const text of [
      '{'.repeat(10_000),
      '('.repeat(10_000),
      '-'.repeat(10_000) + '1',
      '$x = ' + '!'.repeat(10_000) + '1;',
      'spread(' + 'VM1,'.repeat(5000) + 'VM1);',
      'for $a in {1} { '.repeat(300) + '}'.repeat(300),
      '$x = VM[1..99999999999999999999];',
      '$x = {VM1} * VM[1..12] * VM[1..12] * VM[1..12];',
      '"'.repeat(5000),
      '/*'.repeat(5000),
      'import loop;',
      '\u0000\uffff\ud800',
    ]) {
      exercise(text);
    }
  });
});
