/**
 * Passwords for hosts whose cluster file says `askPassword: true`: asked of the operator once per
 * user@host (a front end asks: the terminal for the CLI, a dialog for the console), kept in this
 * process's memory only, forgotten when the host refuses it. No password is ever written to a
 * file, a log, the journal, a report or an event: only who it is for travels.
 */
import { randomUUID } from 'node:crypto';

import type { PasswordPrompt, PasswordTarget } from './ssh.js';

/** Why a password could not be had, said where the file asked for one. */
export class PasswordUnavailableError extends Error {
  override name = 'PasswordUnavailableError';
}

function keyOf(t: PasswordTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

/** `hv1 (file:3:5) asks for a password …`: where the cluster file turned password logins on. */
export function cannotAsk(t: PasswordTarget, why: string): PasswordUnavailableError {
  const where = t.askedAt === undefined ? '' : `${t.askedAt}: `;
  return new PasswordUnavailableError(`${where}${t.label} asks for a password for ${t.user}@${t.host} (askPassword: true), and ${why}`);
}

export class PasswordKeeper {
  private readonly known = new Map<string, string>();
  /** Logins waiting for the same user@host share one question. */
  private readonly asking = new Map<string, Promise<string | undefined>>();

  constructor(private ask: PasswordPrompt | undefined) {}

  /** Who asks from now on (the console's dialog in place of the terminal, say); what is known stays. */
  useFrontEnd(ask: PasswordPrompt | undefined): void {
    this.ask = ask;
  }

  /** The password for `t`: known, or asked once (concurrent logins share the question). */
  readonly prompt: PasswordPrompt = (t) => {
    const key = keyOf(t);
    const known = this.known.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.asking.get(key);
    if (pending) return pending;
    const ask = this.ask;
    if (!ask) return Promise.reject(cannotAsk(t, 'nothing here can ask for one (use a key file or the SSH agent)'));
    const asked = ask(t)
      .then((password) => {
        if (password !== undefined && password !== '') this.known.set(key, password);
        return password === '' ? undefined : password;
      })
      .finally(() => this.asking.delete(key));
    this.asking.set(key, asked);
    return asked;
  };

  /** The host refused it: the next login asks again. */
  readonly forget = (t: PasswordTarget): void => {
    this.known.delete(keyOf(t));
  };
}

/** The question as a front end shows it; never the answer. */
export interface PasswordQuestion {
  readonly promptId: string;
  readonly user: string;
  readonly host: string;
  readonly label: string;
}

/**
 * A password asked of a front end over events: `emit` sends the question (returns how many
 * listeners heard it), `answer` brings the operator's reply. Unanswered questions give up after
 * `timeoutMs`; none is asked when nobody listens.
 */
export class PasswordRelay {
  private readonly waiting = new Map<string, { resolve(password: string | undefined): void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly emit: (question: PasswordQuestion) => number,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  readonly prompt: PasswordPrompt = (t) =>
    new Promise<string | undefined>((resolve, reject) => {
      const promptId = randomUUID();
      const timer = setTimeout(() => {
        this.waiting.delete(promptId);
        reject(cannotAsk(t, `no password was given within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      this.waiting.set(promptId, { resolve, timer });
      if (this.emit({ promptId, user: t.user, host: t.host, label: t.label }) === 0) {
        clearTimeout(timer);
        this.waiting.delete(promptId);
        reject(cannotAsk(t, 'no console is open to ask for it'));
      }
    });

  /** The operator's answer (null: declined). False when no question `promptId` is waiting. */
  answer(promptId: string, password: string | null): boolean {
    const waiting = this.waiting.get(promptId);
    if (!waiting) return false;
    clearTimeout(waiting.timer);
    this.waiting.delete(promptId);
    waiting.resolve(password ?? undefined);
    return true;
  }

  /** Declines every question still waiting (the front end went away). */
  close(): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      w.resolve(undefined);
    }
  }
}
