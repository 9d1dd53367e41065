/**
 * Integers in btrpsl are never wrapped modulo 2^32 (`maxOnline(@N[1..4], 4294967299)` used to
 * build maxOnline(..., 3)): literals beyond the safe-integer range, results that overflow and
 * constraint arguments beyond the catalogue's range are located errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseScript } from '../../src/dsl/script.js';
import { namedModel, range } from './support.js';

const model = namedModel({ nodes: range('N', 1, 4), vms: range('VM', 1, 4), resources: ['cpu'] });
const run = (text: string) => parseScript(text, { model });

describe('btrpsl integers out of range', () => {
  it('an amount past 2^32 is refused at the argument, not read modulo 2^32', () => {
    const r = run('maxOnline(@N[1..4], 4294967299);');
    expect(r.constraints).toEqual([]);
    expect(r.diagnostics[0]).toMatchObject({ line: 1, column: 21, message: expect.stringMatching(/4294967299 is out of range/) });
  });

  it('a literal beyond 2^53 is a syntax error at the literal', () => {
    const r = run('$x = 123456789012345678901234567890;');
    expect(r.diagnostics[0]).toMatchObject({ code: 'syntax', column: 6, message: expect.stringMatching(/out of range/) });
  });

  it('arithmetic past the safe range is an error where it happens, not a wrapped number', () => {
    const r = run('$x = 9007199254740991 + 10;');
    expect(r.diagnostics[0]?.message).toMatch(/integer overflow/);
  });

  it('an absurd overbooking ratio is refused at the argument', () => {
    const r = run("overbook(@N[1..4], 'cpu', 100000000000.0);");
    expect(r.constraints).toEqual([]);
    expect(r.diagnostics[0]).toMatchObject({ column: 27, message: expect.stringMatching(/out of range/) });
  });

  it('any integer amount either builds the constraint with that very amount or is refused (fuzz)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), (n) => {
        const r = run(`maxOnline(@N[1..4], ${n});`);
        const built = r.constraints[0]?.args as { amount?: number } | undefined;
        if (built) expect(BigInt(built.amount ?? -1)).toBe(n);
        else expect(r.diagnostics.length).toBeGreaterThan(0);
      }),
    );
  });
});
