/** A `ferry` sub-command. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for `ferry --help`. */
  readonly summary: string;
  /** Usage text shown by `ferry help NAME` and on bad arguments. */
  readonly usage: string;
  run(args: readonly string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

/** The part of a stream `exitOnBrokenPipe` needs (a test passes a plain EventEmitter). */
export interface ErrorEmitter {
  on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

/**
 * `ferry plan ... | head -c 10` closes stdout early: the next write fails with EPIPE, emitted as
 * an 'error' event that nobody listened to, so Node printed a stack trace. The reader has all it
 * wanted; exit quietly. Other stream errors are still thrown (a full disk is worth a message).
 */
export function exitOnBrokenPipe(stream: ErrorEmitter, exit: (code: number) => void): void {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') exit(0);
    else throw e;
  });
}

let pipesGuarded = false;
/** Installs `exitOnBrokenPipe` on the process's stdout and stderr, once. */
export function guardProcessPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) exitOnBrokenPipe(stream, (code) => process.exit(code));
}

export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit code of a failure that is ferry's fault, not the input's (BSD's EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/**
 * An exception no command expected: one line naming it, never a stack trace (an operator cannot
 * act on one); FERRY_DEBUG=1 prints the stack for whoever fixes it.
 */
export function reportInternalError(command: string, e: unknown, io: CommandIO, debug = process.env['FERRY_DEBUG'] === '1'): number {
  const message = e instanceof Error ? e.message : String(e);
  io.err(`ferry ${command}: internal error, please report it with the input: ${message}`);
  if (debug && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT_INTERNAL;
}

/** Thrown for a bad command line; the runner prints the message and the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
