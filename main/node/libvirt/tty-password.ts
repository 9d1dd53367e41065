/**
 * The command line's password prompt: on the controlling terminal (`/dev/tty`, as ssh asks, so it
 * works while stdin is a pipe), without echo. No terminal: a located error saying where the
 * cluster file asked for a password, never a hang waiting on input that cannot come.
 */
import { closeSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';

import { cannotAsk } from './passwords.js';
import type { PasswordPrompt } from './ssh.js';

/** A terminal to ask on: raw input, and somewhere to write the question. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream & { setRawMode?(on: boolean): unknown };
  readonly output: NodeJS.WritableStream;
  close(): void;
}

/** The controlling terminal, or null when the process has none (CI, a service, a pipe without a tty). */
export function controllingTerminal(): Terminal | null {
  let inFd: number;
  let outFd: number;
  try {
    // one descriptor each: each stream closes its own
    inFd = openSync('/dev/tty', 'r');
  } catch {
    return null;
  }
  try {
    outFd = openSync('/dev/tty', 'w');
  } catch {
    closeSync(inFd);
    return null;
  }
  const input = new ReadStream(inFd);
  const output = new WriteStream(outFd);
  return {
    input,
    output,
    close: () => {
      input.setRawMode(false);
      input.destroy();
      output.destroy();
    },
  };
}

/** Something else using the terminal (`ferry run`'s key input and view): it steps aside while a prompt has it. */
export interface TerminalUser {
  /** A prompt is about to read the terminal: stop reading keys and hold output. */
  suspend(): void;
  /** The prompt is done: read keys again, write what was held. */
  resume(): void;
}

/**
 * Turns on the one terminal of the process. A password prompt and `ferry run`'s own key input
 * would both read it (a typed password could approve steps), and the run's view would write over
 * the question: while a prompt is open, every user that joined is suspended, and prompts come
 * one at a time (two hosts asking at once get their questions in turn).
 */
export class TerminalTurns {
  private readonly users = new Set<TerminalUser>();
  private queue: Promise<unknown> = Promise.resolve();
  private prompting = false;

  /** `user` is suspended while any prompt is open (at once, if one is); the returned function leaves. */
  join(user: TerminalUser): () => void {
    this.users.add(user);
    if (this.prompting) user.suspend();
    return () => {
      this.users.delete(user);
    };
  }

  /** Whether a prompt has the terminal now. */
  get busy(): boolean {
    return this.prompting;
  }

  /** Runs `prompt` alone on the terminal: after the prompts before it, with every user suspended meanwhile. */
  alone<T>(prompt: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(async () => {
      this.prompting = true;
      for (const user of [...this.users]) user.suspend();
      try {
        return await prompt();
      } finally {
        this.prompting = false;
        for (const user of [...this.users]) user.resume();
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/** The process's terminal: the CLI's password prompts and `ferry run`'s input take turns on it. */
export const processTerminal = new TerminalTurns();

/** A prompt reading from `open()`'s terminal, in its turn; each question opens it and closes it again. */
export function terminalPasswordPrompt(open: () => Terminal | null = controllingTerminal, turns: TerminalTurns = processTerminal): PasswordPrompt {
  return (t) =>
    turns.alone(() => {
      const terminal = open();
      if (!terminal) return Promise.reject(cannotAsk(t, 'there is no terminal to ask on: run ferry from a terminal, or log in with a key file or the SSH agent'));
      return readHidden(terminal, `Password for ${t.user}@${t.host} (${t.label}): `);
    });
}

/** Reads one line without echo; Ctrl-C or Ctrl-D on an empty line declines (undefined). */
function readHidden(terminal: Terminal, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let typed = '';
    const finish = (answer: string | undefined): void => {
      terminal.input.removeListener('data', onData);
      terminal.output.write('\n');
      terminal.close();
      resolve(answer);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(typed);
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) return finish(undefined);
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch === '\u0015') typed = '';
        else if (ch >= ' ') typed += ch;
      }
    };
    terminal.input.setRawMode?.(true);
    terminal.output.write(question);
    terminal.input.on('data', onData);
    terminal.input.resume();
  });
}
