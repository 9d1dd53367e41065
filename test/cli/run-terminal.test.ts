import { PassThrough } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import type { PasswordTarget } from '../../main/node/libvirt/ssh.js';
import { type Terminal, TerminalTurns, terminalPasswordPrompt } from '../../main/node/libvirt/tty-password.js';
import { type OperatorLines, readOperatorLines } from '../../main/cli/run-input.js';
import { HeldOutput } from '../../main/cli/run-view.js';

/**
 * `ferry run` on a cluster with `askPassword: true`: a host may ask for its password while the
 * run reads the operator's keys on the same terminal. They take turns: while the question is open,
 * the run's input is paused (a typed password never reaches it as a command: "a s1" would approve
 * a step) and its lines are held (they would land in the middle of the question).
 */

/**
 * One terminal, as the kernel serves it to two readers: a key goes to the open prompt, and to the
 * run's stdin while that is being read (flowing, not paused). Both readers active is the bug: the
 * run's stdin would get the password too. The screen is everything ferry wrote.
 */
class SharedTerminal {
  readonly stdin = new PassThrough();
  screen = '';
  private prompt: PassThrough | null = null;
  /** What the operator types when a question shows (one answer per question). */
  readonly answers: string[] = [];
  opened = 0;

  type(keys: string): void {
    for (const key of keys) {
      this.prompt?.write(key);
      if (this.stdin.readableFlowing === true) this.stdin.write(key);
    }
  }

  readonly io = { out: (text: string) => (this.screen += `${text}\n`), err: (text: string) => (this.screen += `${text}\n`) };

  readonly open = (): Terminal => {
    this.opened++;
    const input = new PassThrough();
    const output = new PassThrough();
    this.prompt = input;
    output.on('data', (c: Buffer) => {
      this.screen += c.toString('utf8');
      if (c.toString('utf8').startsWith('Password for')) {
        const answer = this.answers.shift();
        // the operator types a moment later, key by key
        if (answer !== undefined) setTimeout(() => this.type(`${answer}\r`), 20);
      }
    });
    return {
      input,
      output,
      close: () => {
        this.prompt = null;
      },
    };
  };
}

const target = (host: string): PasswordTarget => ({ user: 'root', host, port: 22, label: host });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

let lines: OperatorLines | undefined;
afterEach(() => {
  lines?.close();
  lines = undefined;
});

describe("ferry run's key input and a password prompt on one terminal", () => {
  it('never gives a typed password to the run, holds its lines meanwhile, and reads keys again afterwards', async () => {
    const terminal = new SharedTerminal();
    const turns = new TerminalTurns();
    const seen: string[] = [];
    lines = readOperatorLines(terminal.stdin, turns, (line) => seen.push(line));
    const out = new HeldOutput(terminal.io);
    turns.join(out);

    terminal.type('l\n');
    await settle();
    expect(seen).toEqual(['l']);

    // a host refuses its key mid-run and asks; the password typed looks like an approval
    terminal.answers.push('a s1');
    const asked = terminalPasswordPrompt(terminal.open, turns)(target('hv1'));
    await settle();
    // the run's view goes on while the question is open
    out.out('[0:05] s2 migrate vm3 hv1 → hv2: running');
    expect(await asked).toBe('a s1');
    await settle();

    expect(seen).toEqual(['l']);
    // the question, its line ended, then the held line: nothing in between, and no password on screen
    expect(terminal.screen).toBe('Password for root@hv1 (hv1): \n[0:05] s2 migrate vm3 hv1 → hv2: running\n');
    expect(terminal.screen).not.toContain('a s1');

    terminal.type('a s2\n');
    await settle();
    expect(seen).toEqual(['l', 'a s2']);
    out.out('[0:06] s2 migrate vm3 hv1 → hv2: done');
    expect(terminal.screen.endsWith('[0:06] s2 migrate vm3 hv1 → hv2: done\n')).toBe(true);
  });

  it('suspends a run that starts reading while a question is open, until it is answered', async () => {
    const terminal = new SharedTerminal();
    const turns = new TerminalTurns();
    terminal.answers.push('s3cret');
    const asked = terminalPasswordPrompt(terminal.open, turns)(target('hv1'));
    await settle();
    const seen: string[] = [];
    lines = readOperatorLines(terminal.stdin, turns, (line) => seen.push(line));
    expect(await asked).toBe('s3cret');
    terminal.type('A\n');
    await settle();
    expect(seen).toEqual(['A']);
  });

  it('asks two hosts one after the other, never both questions at once', async () => {
    const terminal = new SharedTerminal();
    const turns = new TerminalTurns();
    const prompt = terminalPasswordPrompt(terminal.open, turns);
    terminal.answers.push('first', 'second');
    const one = prompt(target('hv1'));
    const two = prompt(target('hv2'));
    expect(await one).toBe('first');
    expect(await two).toBe('second');
    expect(terminal.opened).toBe(2);
    expect(terminal.screen).toBe('Password for root@hv1 (hv1): \nPassword for root@hv2 (hv2): \n');
    expect(turns.busy).toBe(false);
  });

  it('gives the terminal back when a question cannot be asked (no terminal)', async () => {
    const terminal = new SharedTerminal();
    const turns = new TerminalTurns();
    const seen: string[] = [];
    lines = readOperatorLines(terminal.stdin, turns, (line) => seen.push(line));
    await expect(terminalPasswordPrompt(() => null, turns)(target('hv1'))).rejects.toThrow(/there is no terminal to ask on/);
    terminal.type('p\n');
    await settle();
    expect(seen).toEqual(['p']);
    expect(turns.busy).toBe(false);
  });
});
