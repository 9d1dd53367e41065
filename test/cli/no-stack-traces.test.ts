/**
 * No stack traces on the operator's terminal: `ferry plan ... | head -c 10` (a reader that closes
 * stdout early) ends ferry quietly, and an exception no command expected is one line.
 */
import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import { EXIT_INTERNAL, exitOnBrokenPipe, reportInternalError } from '../../main/cli/command.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('exitOnBrokenPipe', () => {
  it('EPIPE on the stream exits with 0 instead of an unhandled error event', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    expect(() => stream.emit('error', errno('EPIPE'))).not.toThrow();
    expect(exits).toEqual([0]);
  });

  it('any other stream error is still raised', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    expect(() => stream.emit('error', errno('ENOSPC'))).toThrow(/ENOSPC/);
    expect(exits).toEqual([]);
  });
});

describe('reportInternalError', () => {
  const capture = () => {
    const err: string[] = [];
    return { err, io: { out: () => undefined, err: (t: string) => err.push(t) } };
  };

  it('one line naming the command and the message, exit 70, no stack', () => {
    const { err, io } = capture();
    expect(reportInternalError('plan', new RangeError('capacity must be finite'), io, false)).toBe(EXIT_INTERNAL);
    expect(err).toEqual(['ferry plan: internal error, please report it with the input: capacity must be finite']);
  });

  it('the stack only when debugging', () => {
    const { err, io } = capture();
    reportInternalError('plan', new Error('boom'), io, true);
    expect(err[1]).toMatch(/at /);
  });
});
