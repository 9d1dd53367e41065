/**
 * The cluster's SSH access: one resolved target per host, the concurrency limit shared by every
 * read and effect, and `virsh` run as `LC_ALL=C virsh -c URI …` with quoted arguments. A host
 * that cannot be reached yields a typed failure, never an exception.
 */
import type SSHConfig from 'ssh-config';

import type { CancelSignal } from '../../../src/cluster/ports.js';

import type { ClusterConfig, HostConfig } from './config.js';
import { Limiter } from './limiter.js';
import { virshCommand } from './shell.js';
import { type ExecResult, type SshFailure, type SshOptions, type SshSession, connect, probeHostKey } from './ssh.js';
import { type SshTarget, loadSshConfig, resolveTarget } from './ssh-target.js';

export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: SshFailure };

/** A command's result in operator words: its output, or why there is none. */
export type CommandResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string; readonly timedOut: boolean };

export class ClusterAccess {
  readonly limiter: Limiter;
  private readonly targets = new Map<string, SshTarget>();
  private readonly options: SshOptions;
  /** Hosts whose login waits on the operator typing a password (their read's bound waits too). */
  private readonly asking = new Map<string, number>();

  constructor(
    readonly config: ClusterConfig,
    options: SshOptions = {},
    sshConfig: SSHConfig | null = loadSshConfig(config.sshConfig),
  ) {
    this.limiter = new Limiter(config.concurrency);
    for (const host of config.hosts) this.targets.set(host.name, resolveTarget(host, sshConfig));
    const ask = options.askPassword;
    this.options = ask
      ? {
          ...options,
          askPassword: async (t) => {
            this.asking.set(t.label, (this.asking.get(t.label) ?? 0) + 1);
            try {
              return await ask(t);
            } finally {
              this.asking.set(t.label, (this.asking.get(t.label) ?? 1) - 1);
            }
          },
        }
      : options;
  }

  /** Whether a login to `name` waits on the operator for a password right now. */
  waitsOnOperator(name: string): boolean {
    return (this.asking.get(name) ?? 0) > 0;
  }

  host(name: string): HostConfig | undefined {
    return this.config.hosts.find((h) => h.name === name);
  }

  target(name: string): SshTarget | undefined {
    return this.targets.get(name);
  }

  /**
   * Connects to `name` (a slot of the concurrency limit held for the whole task), runs `task`,
   * closes. `holdSlot: false` for long effects (a migration) that must not starve reads.
   */
  async withSession<T>(name: string, task: (session: SshSession, host: HostConfig) => Promise<T>, holdSlot = true, keepalive?: SshOptions['keepalive']): Promise<Attempt<T>> {
    const target = this.targets.get(name);
    const host = this.host(name);
    if (!target || !host) return { ok: false, failure: { kind: 'network', host: name, message: `${name} is not a host of cluster ${this.config.name}` } };
    const run = async (): Promise<Attempt<T>> => {
      const connected = await connect(target, keepalive ? { ...this.options, keepalive } : this.options);
      if (!connected.ok) return connected;
      try {
        return { ok: true, value: await task(connected.session, host) };
      } finally {
        connected.session.close();
      }
    };
    return holdSlot ? this.limiter.run(run) : run();
  }

  probeHostKey(name: string): Promise<{ ok: true; key: Buffer; target: SshTarget } | { ok: false; failure: SshFailure }> {
    const target = this.targets.get(name);
    if (!target) return Promise.resolve({ ok: false, failure: { kind: 'network', host: name, message: `${name} is not a host of cluster ${this.config.name}` } });
    return this.limiter.run(async () => {
      const probed = await probeHostKey(target, this.options);
      return probed.ok ? { ...probed, target } : probed;
    });
  }
}

/** Runs `virsh <args>` on the host; a non-zero exit is an error quoting virsh's own message. */
export async function virsh(session: SshSession, host: HostConfig, args: readonly string[], options: { timeoutMs?: number; signal?: CancelSignal } = {}): Promise<CommandResult> {
  const result = await session.exec(virshCommand(host.libvirtUri, args), {
    timeoutMs: options.timeoutMs ?? host.commandTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return commandResult(`virsh ${args[0] ?? ''}`, host.name, result);
}

export function commandResult(what: string, hostName: string, result: ExecResult): CommandResult {
  if (result.code === 0) return { ok: true, stdout: result.stdout };
  if (result.code === null) return { ok: false, error: `${what} on ${hostName}: ${result.error ?? 'no result'}`, timedOut: result.timedOut };
  const message = firstLines(result.stderr) || firstLines(result.stdout) || 'no message';
  return { ok: false, error: `${what} on ${hostName} exited ${result.code}: ${message}`, timedOut: false };
}

/** The first meaningful lines of a message, bounded (virsh prefixes its errors with `error: `). */
function firstLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const joined = lines.slice(0, 3).join(' / ');
  return joined.length > 400 ? `${joined.slice(0, 400)}…` : joined;
}
