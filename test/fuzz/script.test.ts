/**
 * Fuzz: the btrpsl parser and evaluator on random and mutated scripts against the seed model.
 * Never throws, reports no internal error, and every diagnostic lies within the text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { type Diagnostic, LineIndex, parseScript } from '../../src/dsl/index.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { DEMO_BTRP, HOSTILE_FRAGMENTS, SEED_BTRP, SEED_JSON, mutatedText, params } from './support.js';

const parsed = parseInstanceText(SEED_JSON);
if (!parsed.ok) throw new Error(`examples/seed.json: ${parsed.error.message}`);
const model = parsed.value.model;

function lineCount(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Throws unless the script's diagnostics are all located inside it and none is internal. */
export function checkScript(text: string): void {
  const result = parseScript(text, { model });
  const lines = new LineIndex(text);
  const count = lineCount(text);
  const within = (d: Diagnostic, line: number, column: number): void => {
    if (!Number.isInteger(line) || line < 1 || line > count) throw new Error(`line ${line} outside 1..${count}: ${d.message}`);
    const width = lines.lineText(line).length;
    if (!Number.isInteger(column) || column < 1 || column > width + 2) throw new Error(`column ${column} outside 1..${width + 1} on line ${line}: ${d.message}`);
  };
  for (const d of result.diagnostics) {
    if (d.code === 'internal') throw new Error(`internal diagnostic: ${d.message}`);
    within(d, d.line, d.column);
    within(d, d.endLine, d.endColumn);
    if (d.endLine < d.line || (d.endLine === d.line && d.endColumn < d.column)) throw new Error(`diagnostic ends before it starts: ${JSON.stringify(d)}`);
  }
}

const TOKENS = [
  'spread', 'root', 'offline', 'online', 'ban', 'fence', 'preserve', 'lonely', 'among', 'split', 'gather', 'running', 'maxOnline', 'overbook', 'quarantine',
  'VM1', 'VM2', 'VM[1..6]', 'VM[2..3]', '@N1', '@N[1..4]', '@N4', 'VM7', '@N9', "'cpu'", "'mem'", "'disk'", '3', '0', '-1', '1.5',
  '(', ')', '{', '}', '[', ']', ',', ';', '=', '+', '-', '*', '/', '%', '..', '$x', '$y', '$x = ', 'for $i in ', 'VM[1..3]', '\n', ' ',
  '>>', '<<', 'import', 'export', 'namespace', 'to', 'use', 'sep', 'in', 'if', 'else', 'true', 'false', '#', '.',
];

const randomScript = fc.array(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) }), { maxLength: 60 }).map((t) => t.join(' '));

describe('fuzz: btrpsl script parser and evaluator', () => {
  it('the examples themselves are clean against the seed model (seed.btrp) or merely unresolved (demo)', () => {
    expect(parseScript(SEED_BTRP, { model }).ok).toBe(true);
    expect(() => checkScript(DEMO_BTRP)).not.toThrow();
  });

  it('mutated example scripts: never throw, no internal error, diagnostics within the text', () => {
    fc.assert(fc.property(mutatedText([SEED_BTRP, DEMO_BTRP], 8), (text) => checkScript(text)), params(1000));
  });

  it('random token soups: never throw, no internal error, diagnostics within the text', () => {
    fc.assert(fc.property(randomScript, (text) => checkScript(text)), params(1000));
  });

  it('arbitrary strings (any code unit): never throw, diagnostics within the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => checkScript(text)), params(500));
  });
});
