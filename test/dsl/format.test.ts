/**
 * The formatter: canonical layout, comments kept, idempotent, meaning preserved (checked on the
 * BtrPlace example scripts and on random scripts written with random spacing and comments).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatScript, formatScriptResult } from '../../src/dsl/format.js';
import { lex } from '../../src/dsl/lexer.js';
import { parseScript } from '../../src/dsl/script.js';
import { namedModel, range } from './support.js';

const dir = fileURLToPath(new URL('../fixtures/scripts/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.btrp'));
const comments = (text: string): string[] => lex(text).filter((t) => t.kind === 'comment').map((t) => t.text);
/** What a script means: its tokens without comments (the parser sees nothing else). */
const meaning = (text: string): string[] => lex(text).filter((t) => t.kind !== 'comment').map((t) => `${t.kind}:${t.text}`);

describe('formatScript', () => {
  it('lays a script out canonically', () => {
    const messy = [
      'namespace  x ;import  y;',
      '',
      '',
      '',
      '$a=VM[1..3]+ {VM4,VM5}; // trailing',
      'for $t in $a{spread( $t ) ;/* after spread */ lonely($t);}',
      'if #$a>2{ root(VM1);}else if 1==1 {ban(VM1,@N1);} else{ }',
      '  >>spread(VM1);VM[1..2]:tiny< clone ,boot = 7>;',
      'export $a,$T[1..2] to admin.*,*;',
      '// end',
    ].join('\n');
    expect(formatScript(messy)).toBe(
      [
        'namespace x;',
        'import y;',
        '',
        '$a = VM[1..3] + {VM4, VM5}; // trailing',
        'for $t in $a {',
        '    spread($t); /* after spread */',
        '    lonely($t);',
        '}',
        'if #$a > 2 {',
        '    root(VM1);',
        '} else if 1 == 1 {',
        '    ban(VM1, @N1);',
        '} else {',
        '}',
        '>>spread(VM1);',
        'VM[1..2] : tiny<clone, boot=7>;',
        'export $a, $T[1..2] to admin.*, *;',
        '// end',
        '',
      ].join('\n'),
    );
  });

  it('keeps notations (hex, octal, quotes, suffixes) and parentheses', () => {
    expect(formatScript("$s=@srv-[0x1..0xff,frontend].a.b;$o=0600;$q='cpu';$p=(1+2)*3;")).toBe("$s = @srv-[0x1..0xff, frontend].a.b;\n$o = 0600;\n$q = 'cpu';\n$p = (1 + 2) * 3;\n");
  });

  it('moves a comment written inside a statement above it, and keeps nested indentation', () => {
    expect(formatScript('for $a in VM[1..2] {\nfor $b in VM[3..4] {\nban(/* which */ $a, @N1);\n}\n}')).toBe('for $a in VM[1..2] {\n    for $b in VM[3..4] {\n        /* which */\n        ban($a, @N1);\n    }\n}\n');
  });

  it('returns a script with syntax errors unchanged', () => {
    const broken = 'spread(VM1\n  lonely(VM2);';
    expect(formatScriptResult(broken)).toEqual({ text: broken, formatted: false });
    expect(formatScript('')).toBe('');
  });

  for (const file of fixtures) {
    it(`is idempotent and meaning-preserving on ${file}`, () => {
      const text = readFileSync(`${dir}${file}`, 'utf8');
      const once = formatScript(text);
      expect(formatScript(once)).toBe(once);
      expect(meaning(once)).toEqual(meaning(text));
      expect(comments(once).sort()).toEqual(comments(text).sort());
    });
  }
});

// ---- property: random scripts, random layout ---------------------------------------------------

const model = namedModel({ vms: range('VM', 1, 20), nodes: range('N', 1, 6) });

const vmSet = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 9 })).map(([a, n]) => [`VM[${a}..${a + n}]`]),
  fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 4 }).map((ids) => ['{', ...ids.flatMap((id, i) => (i === 0 ? [`VM${id}`] : [',', `VM${id}`])), '}']),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 11, max: 20 })).map(([a, b]) => [`VM[${a}..10]`, '+', `VM[11..${b}]`]),
  fc.integer({ min: 2, max: 10 }).map((b) => [`VM[1..${b}]`, '-', '{', 'VM1', '}']),
);
const nodeSet = fc.oneof(fc.constant(['@N1']), fc.integer({ min: 1, max: 6 }).map((b) => [`@N[1..${b}]`]), fc.constant(['{', '@N2', ',', '@N3', '}']));

type Pieces = string[];
const statement: fc.Memo<Pieces> = fc.memo((depth) => {
  const simple = fc.oneof(
    vmSet.map((s) => ['spread', '(', ...s, ')', ';']),
    vmSet.map((s) => ['>>', 'lonely(', ...s, ')', ';']),
    fc.tuple(vmSet, nodeSet).map(([v, n]) => ['ban', '(', ...v, ',', ...n, ')', ';']),
    fc.tuple(vmSet, fc.integer({ min: 0, max: 3 })).map(([v, k]) => [`$x${k}`, '=', ...v, ';']),
    fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })).map(([a, b]) => ['$n', '=', `${a}`, '*', '(', `${b}`, '-', '1', ')', '%', '7', ';']),
  );
  if (depth <= 1) return simple;
  const block = fc.array(statement(depth - 1), { maxLength: 3 }).map((ss) => ss.flat());
  return fc.oneof(
    { weight: 3, arbitrary: simple },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 4 }), block).map(([k, body]) => ['for', `$t${depth}`, 'in', 'VM[1..8]', '/', `${k}`, '{', ...body.map((p) => (p === '$x0' ? `$t${depth}x` : p)), '}']) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 0, max: 5 }), block, block).map(([k, a, b]) => ['if', '#', 'VM[1..4]', '>', `${k}`, '{', ...a, '}', 'else', '{', ...b, '}']),
    },
  );
});

const separator = fc.constantFrom('', ' ', '  ', '\n', '\n\n', '\t', ' /* c */ ', ' // note\n');

/** Joins pieces with random separators, never gluing two word characters together. */
const script = fc
  .array(statement(3), { minLength: 1, maxLength: 6 })
  .chain((stmts) => {
    const pieces = stmts.flat();
    return fc.array(separator, { minLength: pieces.length, maxLength: pieces.length }).map((seps) =>
      pieces
        .map((p, i) => {
          const prev = pieces[i - 1] ?? '';
          const sep = seps[i] ?? ' ';
          const glue = /[\w$@.\]]$/.test(prev) && /^[\w$@]/.test(p);
          return (i === 0 ? '' : sep === '' && glue ? ' ' : sep) + p;
        })
        .join(''),
    );
  });

describe('formatScript on random scripts', () => {
  it('round-trips to the same constraints, is idempotent and keeps every comment', () => {
    fc.assert(
      fc.property(script, (text) => {
        const before = parseScript(text, { model });
        expect(before.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const formatted = formatScript(text);
        const after = parseScript(formatted, { model });
        expect(after.constraints).toEqual(before.constraints);
        expect(meaning(formatted)).toEqual(meaning(text));
        expect(formatScript(formatted)).toBe(formatted);
        expect(comments(formatted).length).toBe(comments(text).length);
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });
});
