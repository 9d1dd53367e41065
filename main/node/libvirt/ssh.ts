/**
 * SSH to a host as an operator's `ssh` would: keys from files, then the agent (SSH_AUTH_SOCK),
 * a password only when the cluster file asks for one; the host key checked against known_hosts
 * (an unknown key is a typed result carrying its SHA256 fingerprint, a changed one is refused);
 * ProxyJump hops through `forwardOut`; a connect timeout and a per-command timeout.
 *
 * Credentials stay in this file: no message, result or log line carries a key, a passphrase or
 * a password, only what the server said about them.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

import ssh2, { type Algorithms, type AnyAuthMethod, type AuthHandlerMiddleware, type AuthenticationType, type Client, type ClientChannel, type ConnectConfig } from 'ssh2';

import type { CancelSignal } from '../../../src/cluster/ports.js';
import { type HostKeyVerdict, KnownHosts, fingerprint, hostEntryName, keyTypeOf } from './known-hosts.js';
import type { SshTarget } from './ssh-target.js';

export type SshFailure =
  | { readonly kind: 'unknown-host-key'; readonly host: string; readonly fingerprint: string; readonly keyType: string; readonly message: string }
  | { readonly kind: 'host-key-changed'; readonly host: string; readonly fingerprint: string; readonly message: string }
  | { readonly kind: 'auth'; readonly host: string; readonly message: string }
  | { readonly kind: 'timeout'; readonly host: string; readonly message: string }
  | { readonly kind: 'network'; readonly host: string; readonly message: string };

export interface ExecResult {
  /** The remote exit code; null when the command did not finish (timeout, connection lost). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Why the command has no exit code, when it has none. */
  readonly error?: string;
}

export interface ExecOptions {
  readonly timeoutMs: number;
  readonly signal?: CancelSignal;
}

/** Whom a password is for (never the password itself). */
export interface PasswordTarget {
  readonly label: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** `file:line:col` of the cluster file's `askPassword: true`. */
  readonly askedAt?: string;
}

/**
 * Asks the operator for a password (front ends provide it; absent: password login is not tried).
 * Undefined: the operator declined; a rejection's message says why none can be had (no terminal).
 */
export type PasswordPrompt = (target: PasswordTarget) => Promise<string | undefined>;

export interface SshOptions {
  readonly askPassword?: PasswordPrompt;
  /** The host refused the password it was given: it is not to be offered again. */
  readonly forgetPassword?: (target: PasswordTarget) => void;
  /** The agent socket (default SSH_AUTH_SOCK). */
  readonly agentSocket?: string | undefined;
  /**
   * SSH keepalives (answered by sshd itself, no process started): the connection is closed after
   * `countMax` unanswered ones, `intervalMs` apart. Default 5 s × 3.
   */
  readonly keepalive?: { readonly intervalMs: number; readonly countMax: number };
}

// ssh2 is CommonJS: Node's ESM loader gives its exports only through the default import
const { Client: SshClient, utils } = ssh2;

/** Largest output kept from one command: virsh's answers are far smaller; more is garbage. */
const MAX_OUTPUT = 32 * 1024 * 1024;

export class SshSession {
  private closed = false;
  /** Why the connection ended, when it ended by itself (a keepalive unanswered, say). */
  private lostBecause: string | null = null;

  constructor(
    readonly target: SshTarget,
    private readonly client: Client,
    private readonly hops: readonly Client[],
  ) {
    client.on('error', (e: Error & { level?: string }) => {
      this.lostBecause ??= e.level === 'client-timeout' ? `${target.label} stopped answering SSH keepalives` : e.message;
    });
    client.on('close', () => {
      this.closed = true;
    });
  }

  /** Why the connection ended by itself (null while it is open, or when this side closed it). */
  lost(): string | null {
    return this.closed ? (this.lostBecause ?? 'the connection closed') : null;
  }

  /** Runs one command line; resolves (never rejects) with its exit code and output, or why it has none. */
  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ code: null, stdout: '', stderr: '', timedOut: false, error: `the connection to ${this.target.label} is closed` });
        return;
      }
      let settled = false;
      let channel: ClientChannel | undefined;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      const finish = (result: Omit<ExecResult, 'stdout' | 'stderr'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.client.removeListener('close', onConnectionClose);
        resolve({ ...result, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      };
      const stop = (): void => {
        try {
          channel?.signal('KILL');
          channel?.close();
        } catch {
          // the channel is gone already
        }
      };
      const timer = setTimeout(() => {
        stop();
        finish({ code: null, timedOut: true, error: `no answer from ${this.target.label} within ${seconds(options.timeoutMs)} s` });
      }, options.timeoutMs);
      const onAbort = (): void => {
        stop();
        finish({ code: null, timedOut: false, error: 'cancelled' });
      };
      const onConnectionClose = (): void => finish({ code: null, timedOut: false, error: `the connection to ${this.target.label} was lost` });
      options.signal?.addEventListener('abort', onAbort);
      this.client.on('close', onConnectionClose);
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      try {
        this.client.exec(command, (e, ch) => {
          if (e) {
            finish({ code: null, timedOut: false, error: `${this.target.label} refused the command: ${e.message}` });
            return;
          }
          channel = ch;
          if (settled) stop();
          const keep = (into: Buffer[]) => (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_OUTPUT) {
              if (!tooLarge) {
                tooLarge = true;
                stop();
                finish({ code: null, timedOut: false, error: `${this.target.label} sent more than ${MAX_OUTPUT / 1024 / 1024} MiB of output` });
              }
              return;
            }
            into.push(chunk);
          };
          ch.on('data', keep(out));
          ch.stderr.on('data', keep(err));
          let code: number | null = null;
          ch.on('exit', (c: number | null) => {
            code = c;
          });
          ch.on('close', () => finish(code === null ? { code: null, timedOut: false, error: `the command on ${this.target.label} ended without an exit code (killed by a signal?)` } : { code, timedOut: false }));
        });
      } catch (e) {
        finish({ code: null, timedOut: false, error: `${this.target.label}: ${e instanceof Error ? e.message : String(e)}` });
      }
    });
  }

  close(): void {
    this.closed = true;
    this.client.end();
    for (const hop of this.hops) hop.end();
  }
}

export type ConnectResult = { readonly ok: true; readonly session: SshSession } | { readonly ok: false; readonly failure: SshFailure };

/** Connects through every ProxyJump hop to the target; the host key of each is checked. */
export async function connect(target: SshTarget, options: SshOptions = {}): Promise<ConnectResult> {
  const hops: Client[] = [];
  let sock: Readable | undefined;
  for (const jump of target.jumps) {
    const hop = await connectOne(jump, options, sock);
    if (!hop.ok) {
      for (const h of hops) h.end();
      return hop;
    }
    hops.push(hop.client);
    const forwarded = await forward(hop.client, target.jumps[hops.length]?.host ?? target.host, target.jumps[hops.length]?.port ?? target.port, target.connectTimeoutMs);
    if (!forwarded.ok) {
      for (const h of hops) h.end();
      return { ok: false, failure: { kind: 'network', host: target.label, message: `${target.label}: the jump host ${jump.label} could not reach it: ${forwarded.error}` } };
    }
    sock = forwarded.stream;
  }
  const last = await connectOne(target, options, sock);
  if (!last.ok) {
    for (const h of hops) h.end();
    return last;
  }
  return { ok: true, session: new SshSession(target, last.client, hops) };
}

/** Connects only to read the host's key (for the operator to confirm it); nothing is trusted here. */
export async function probeHostKey(target: SshTarget, options: SshOptions = {}): Promise<{ ok: true; key: Buffer } | { ok: false; failure: SshFailure }> {
  let seen: Buffer | undefined;
  const result = await connectOne(target, options, undefined, (key) => {
    seen = key;
  });
  if (result.ok) result.client.end();
  if (seen) return { ok: true, key: seen };
  return { ok: false, failure: result.ok ? { kind: 'network', host: target.label, message: `${target.label} showed no host key` } : result.failure };
}

function forward(client: Client, host: string, port: number, timeoutMs: number): Promise<{ ok: true; stream: Readable } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: `no channel within ${seconds(timeoutMs)} s` }), timeoutMs);
    client.forwardOut('127.0.0.1', 0, host, port, (e, stream) => {
      clearTimeout(timer);
      resolve(e ? { ok: false, error: e.message } : { ok: true, stream });
    });
  });
}

type OneResult = { readonly ok: true; readonly client: Client } | { readonly ok: false; readonly failure: SshFailure };

function connectOne(target: SshTarget, options: SshOptions, sock: Readable | undefined, sawKey?: (key: Buffer) => void): Promise<OneResult> {
  let known: KnownHosts;
  try {
    known = KnownHosts.load(target.knownHostsFile);
  } catch (e) {
    return Promise.resolve({ ok: false, failure: { kind: 'network', host: target.label, message: e instanceof Error ? e.message : String(e) } });
  }
  const entryName = hostEntryName(target.host, target.port);
  let verdict: HostKeyVerdict | undefined;
  const client = new SshClient();
  return new Promise<OneResult>((resolve) => {
    let settled = false;
    const settle = (r: OneResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!r.ok) client.end();
      resolve(r);
    };
    // ssh2's readyTimeout does not cover a TCP connect that hangs: this one covers everything but
    // the time a person takes to type a password (the host's timeout starts again after it)
    const arm = (): ReturnType<typeof setTimeout> =>
      setTimeout(() => settle({ ok: false, failure: { kind: 'timeout', host: target.label, message: `${target.label} (${entryName}) did not answer within ${seconds(target.connectTimeoutMs)} s` } }), target.connectTimeoutMs);
    let timer = arm();
    const auth = authHandler(target, options, {
      asking: () => clearTimeout(timer),
      answered: () => {
        if (!settled) timer = arm();
      },
    });
    client.on('ready', () => settle({ ok: true, client }));
    client.on('error', (e: Error & { level?: string }) => settle({ ok: false, failure: failureOf(target, options, entryName, e, verdict, auth.outcome) }));
    client.on('close', () => settle({ ok: false, failure: failureOf(target, options, entryName, new Error('the connection closed during the handshake'), verdict, auth.outcome) }));
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      // a password prompt may hold the handshake for as long as the operator types: the timer above bounds the rest
      readyTimeout: target.askPassword && options.askPassword ? 0 : target.connectTimeoutMs,
      keepaliveInterval: options.keepalive?.intervalMs ?? 5000,
      keepaliveCountMax: options.keepalive?.countMax ?? 3,
      hostVerifier: (key: Buffer) => {
        sawKey?.(key);
        verdict = known.verify(entryName, key);
        return verdict.status === 'known';
      },
      // ssh2 takes `false` for "no method left", which its typings do not spell
      authHandler: auth.handler as unknown as AuthHandlerMiddleware,
      ...(sock ? { sock } : {}),
    };
    const preferred = hostKeyAlgorithms(known.keyTypesFor(entryName));
    if (preferred) config.algorithms = { serverHostKey: preferred } as Algorithms;
    try {
      client.connect(config);
      // commands and their answers are small packets: Nagle's algorithm would hold each one back
      // until the previous is acknowledged (tens of ms per round trip with delayed ACKs)
      client.setNoDelay(true);
    } catch (e) {
      settle({ ok: false, failure: { kind: 'network', host: target.label, message: `${target.label}: ${e instanceof Error ? e.message : String(e)}` } });
    }
  });
}

function failureOf(target: SshTarget, options: SshOptions, entryName: string, e: Error & { level?: string }, verdict: HostKeyVerdict | undefined, password: PasswordOutcome): SshFailure {
  const host = target.label;
  if (verdict?.status === 'unknown') {
    return { kind: 'unknown-host-key', host, fingerprint: verdict.fingerprint, keyType: verdict.keyType, message: `${host} (${entryName}) shows an unknown ${verdict.keyType} host key ${verdict.fingerprint}: confirm it to trust it (it is not in ${target.knownHostsFile})` };
  }
  if (verdict?.status === 'changed') {
    return {
      kind: 'host-key-changed',
      host,
      fingerprint: verdict.fingerprint,
      message: `REFUSED: the host key of ${host} (${entryName}) HAS CHANGED: it shows ${verdict.fingerprint}, ${verdict.file}:${verdict.line} expects ${verdict.expected.join(' or ')}. Someone may be intercepting the connection, or the host was reinstalled; check with its administrator before removing the old key`,
    };
  }
  if (verdict?.status === 'revoked') return { kind: 'host-key-changed', host, fingerprint: verdict.fingerprint, message: `REFUSED: ${host} (${entryName}) shows a revoked host key ${verdict.fingerprint} (${verdict.file}:${verdict.line})` };
  if (e.level === 'client-authentication') {
    if (password.tried) options.forgetPassword?.(passwordTarget(target));
    // no password could be had (no terminal, no console): that is what the operator must fix
    if (password.unavailable !== undefined) return { kind: 'auth', host, message: password.unavailable };
    return { kind: 'auth', host, message: `${host}: login as ${target.user} refused (tried ${describeMethods(target, options, password)})` };
  }
  if (e.level === 'client-timeout') return { kind: 'timeout', host, message: `${host} (${entryName}): no SSH handshake within ${seconds(target.connectTimeoutMs)} s` };
  const code = (e as NodeJS.ErrnoException).code;
  return { kind: 'network', host, message: `${host} (${entryName}): ${code ? `${code}: ` : ''}${e.message}` };
}

function describeMethods(target: SshTarget, options: SshOptions, password: PasswordOutcome): string {
  const methods = [];
  if (target.identityFiles.length > 0) methods.push(`${target.identityFiles.length} key file(s)`);
  if (options.agentSocket ?? process.env.SSH_AUTH_SOCK) methods.push('the SSH agent');
  if (password.tried) methods.push('a password');
  else if (password.declined) methods.push('no password (none was given)');
  return methods.length > 0 ? methods.join(', ') : 'no key file, no SSH agent, no password';
}

/** The algorithms ssh2 should ask for, known_hosts' types first (so a listed host shows a listed type). */
function hostKeyAlgorithms(types: readonly string[]): string[] | undefined {
  if (types.length === 0) return undefined;
  const expand = (t: string): string[] => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]);
  const supported = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  const wanted = types.flatMap(expand).filter((t) => supported.has(t));
  return wanted.length > 0 ? [...new Set(wanted)] : undefined;
}

/** What became of the password during one login. */
interface PasswordOutcome {
  tried: boolean;
  declined: boolean;
  /** Why none could be had (a located message), when the front end could not ask. */
  unavailable?: string;
}

function passwordTarget(target: SshTarget): PasswordTarget {
  return { label: target.label, user: target.user, host: target.host, port: target.port, ...(target.askPasswordAt === undefined ? {} : { askedAt: target.askPasswordAt }) };
}

/**
 * Keys (each readable one), then the agent, then — when the cluster file asks for it — a password,
 * asked once and offered as `password` and as `keyboard-interactive` (hosts that turned plain
 * password logins off answer the same password through PAM's prompt).
 */
function authHandler(
  target: SshTarget,
  options: SshOptions,
  operator: { asking(): void; answered(): void },
): { handler: (left: AuthenticationType[], partial: boolean, next: (m: AnyAuthMethod | false) => void) => void; outcome: PasswordOutcome } {
  const outcome: PasswordOutcome = { tried: false, declined: false };
  const username = target.user;
  const queue: (() => Promise<AnyAuthMethod | undefined>)[] = [];
  for (const file of target.identityFiles) {
    queue.push(() => {
      try {
        const key = utils.parseKey(readFileSync(file));
        // an encrypted key needs its passphrase: the agent is the way to use it
        return Promise.resolve(key instanceof Error ? undefined : { type: 'publickey', username, key: Array.isArray(key) ? key[0] : key });
      } catch {
        return Promise.resolve(undefined);
      }
    });
  }
  const agent = options.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (agent) queue.push(() => Promise.resolve({ type: 'agent', username, agent }));
  const prompt = options.askPassword;
  if (target.askPassword && prompt) {
    let asked: Promise<string | undefined> | undefined;
    const password = (): Promise<string | undefined> => {
      if (asked) return asked;
      operator.asking();
      asked = prompt(passwordTarget(target))
        .then(
          (p) => {
            if (p === undefined) outcome.declined = true;
            return p;
          },
          (e: unknown) => {
            outcome.unavailable = e instanceof Error ? e.message : String(e);
            return undefined;
          },
        )
        .finally(() => operator.answered());
      return asked;
    };
    queue.push(async () => {
      const p = await password();
      if (p === undefined) return undefined;
      outcome.tried = true;
      return { type: 'password', username, password: p };
    });
    queue.push(async () => {
      const p = await password();
      if (p === undefined) return undefined;
      outcome.tried = true;
      return { type: 'keyboard-interactive', username, prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => p)) };
    });
  }
  const handler = (_left: AuthenticationType[], _partial: boolean, next: (m: AnyAuthMethod | false) => void): void => {
    const tryNext = (): void => {
      const step = queue.shift();
      if (!step) {
        next(false);
        return;
      }
      step().then(
        (method) => (method ? next(method) : tryNext()),
        () => tryNext(),
      );
    };
    tryNext();
  };
  return { handler, outcome };
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

export { fingerprint, keyTypeOf };
