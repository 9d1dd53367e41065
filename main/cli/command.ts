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

export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Thrown for a bad command line; the runner prints the message and the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
