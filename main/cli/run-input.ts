import { createInterface } from 'node:readline';

import { blockedBy } from '../../src/executor/machine.js';
import type { ExecEvent, FailureChoice, Run } from '../../src/executor/types.js';
import type { TerminalTurns } from '../node/libvirt/tty-password.js';
import { RUN_HELP, formatSteps } from './run-view.js';

/**
 * One line typed by the operator during `ferry run` → the executor event it asks for, or text to
 * show. Validation of *whether* the event is allowed stays with the executor (it refuses with a
 * reason); this only reads the words.
 */
export type OperatorInput = { readonly event: ExecEvent } | { readonly show: string } | { readonly error: string } | { readonly none: true };

const CHOICES: readonly FailureChoice[] = ['retry', 'skip', 'replan', 'stop'];

export function readOperatorLine(line: string, run: Run, by: string, at: number): OperatorInput {
  const [word = '', ...rest] = line.trim().split(/\s+/);
  const text = rest.join(' ');
  switch (word) {
    case '':
      return { none: true };
    case '?':
    case 'help':
      return { show: RUN_HELP };
    case 'l':
    case 'list':
      return { show: run.steps.map((s) => `${formatSteps([s])}  [${s.state}${s.reason ? `: ${s.reason}` : ''}]`).join('\n') };
    case 'a':
    case 'approve': {
      const ids = rest.length > 0 ? rest : run.steps.filter((s) => s.state === 'awaiting-approval').slice(0, 1).map((s) => s.id);
      if (ids.length === 0) return { error: 'no step awaits approval; name the steps to approve in advance (a s4 s5)' };
      return { event: { type: 'approve', at, by, stepIds: ids } };
    }
    case 'A':
    case 'approve-all':
      return { event: { type: 'approve-ready', at, by } };
    case 'u':
    case 'unattended': {
      if (rest[0] === undefined) return { event: { type: 'set-mode', at, by, mode: 'unattended' } };
      const k = Number(rest[0]);
      if (!Number.isInteger(k) || k < 1) return { error: `u takes a positive whole number of steps per host, got '${rest[0]}'` };
      return { event: { type: 'set-mode', at, by, mode: 'unattended', maxPerHost: k } };
    }
    case 's':
    case 'skip': {
      const [id, ...why] = rest;
      if (id === undefined || why.length === 0) return { error: 'skip needs a step and a reason: s s4 host under repair' };
      return { event: { type: 'skip', at, by, stepId: id, reason: why.join(' ') } };
    }
    case 'h':
    case 'hold':
      if (rest[0] === undefined) return { error: 'hold needs a step: h s4' };
      return { event: { type: 'hold', at, by, stepId: rest[0], ...(rest.length > 1 ? { reason: rest.slice(1).join(' ') } : {}) } };
    case 'r':
    case 'release':
      if (rest[0] === undefined) return { error: 'release needs a step: r s4' };
      return { event: { type: 'release', at, by, stepId: rest[0] } };
    case 'f':
    case 'failure': {
      const [id, choice] = rest;
      if (id === undefined || choice === undefined || !(CHOICES as readonly string[]).includes(choice)) return { error: `f needs a step and one of ${CHOICES.join(', ')}: f s4 retry` };
      return { event: { type: 'failure-choice', at, by, stepId: id, choice: choice as FailureChoice } };
    }
    case 'y':
      return { event: { type: 'replan-accepted', at, by } };
    case 'n':
      return { event: { type: 'replan-rejected', at, by } };
    case 'p':
    case 'pause':
      return { event: { type: 'pause', at, by } };
    case 'c':
    case 'resume':
      return { event: { type: 'resume', at, by } };
    case 'x':
    case 'abort':
      return { event: { type: 'abort', at, by, ...(text ? { reason: text } : {}) } };
    case 'b':
    case 'blocks': {
      if (rest[0] === undefined) return { error: 'b needs a step: b s4' };
      const blocked = blockedBy(run, rest[0]);
      return { show: blocked.length === 0 ? `nothing waits for ${rest[0]}` : `${rest[0]} blocks ${blocked.join(', ')}` };
    }
    default:
      return { error: `unknown command '${word}' ('?' lists the commands)` };
  }
}

/** The operator's lines as `ferry run` reads them; `closed` resolves when the input ends (or `close()`). */
export interface OperatorLines {
  readonly closed: Promise<'input-closed'>;
  close(): void;
}

/**
 * Reads the operator's lines from `input` (stdin) and gives each to `onLine`, taking turns with
 * password prompts on the same terminal: while a prompt is open the input is paused, so the
 * terminal's keys go to the prompt alone (a typed password never reaches the run as a command),
 * and it reads again once the prompt is done.
 */
export function readOperatorLines(input: NodeJS.ReadableStream, turns: TerminalTurns, onLine: (line: string) => void): OperatorLines {
  const rl = createInterface({ input, terminal: false });
  // readline's pause stops reading the stream itself (a TTY stops reading its descriptor)
  const leave = turns.join({ suspend: () => rl.pause(), resume: () => rl.resume() });
  rl.on('line', onLine);
  const closed = new Promise<'input-closed'>((resolve) =>
    rl.on('close', () => {
      leave();
      resolve('input-closed');
    }),
  );
  return { closed, close: () => rl.close() };
}
