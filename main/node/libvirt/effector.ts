/**
 * The libvirt cluster's Effector: one plan action as the matching `virsh` commands on the hosts.
 * `perform` never rejects. A failure or timeout says what is known and what is not: the executor
 * verifies every step from a fresh read of the hosts the action touches (both ends of a
 * migration), since a migration the client gave up on may still complete (testbed.md §4).
 */
import type { EffectOutcome, EffectRequest, Effector, NamedAction } from '../../../src/cluster/ports.js';
import { waitFor } from '../wait.js';
import { jobFraction, parseDomJobInfo, parseDomState } from '../../../src/cluster/virsh/index.js';
import { describeNamedAction } from '../../../src/executor/describe.js';
import { type ClusterAccess, type CommandResult, virsh } from './access.js';
import type { HostConfig } from './config.js';
import { migrationCommand } from './migration.js';
import { runPowerCommand } from './power.js';
import type { InFlight, LibvirtProvider } from './provider.js';
import type { SshSession } from './ssh.js';

export interface LibvirtEffectorOptions {
  /** How often a running job is polled (ms, default 1000). */
  readonly pollMs?: number;
}

export function libvirtEffector(access: ClusterAccess, provider: LibvirtProvider, inFlight: InFlight, options: LibvirtEffectorOptions = {}): Effector {
  const ctx: Ctx = { access, provider, inFlight, pollMs: options.pollMs ?? 1000 };
  return {
    async perform(request: EffectRequest): Promise<EffectOutcome> {
      if (request.signal.aborted) return { status: 'cancelled' };
      try {
        return await perform(ctx, request);
      } catch (e) {
        return { status: 'failed', error: `${describeNamedAction(request.action)}: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}

interface Ctx {
  readonly access: ClusterAccess;
  readonly provider: LibvirtProvider;
  readonly inFlight: InFlight;
  readonly pollMs: number;
}

async function perform(ctx: Ctx, request: EffectRequest): Promise<EffectOutcome> {
  const a = request.action;
  switch (a.kind) {
    case 'migrateVM':
      return migrate(ctx, request, a);
    case 'bootVM':
      return boot(ctx, request, a.vm, a.node);
    case 'shutdownVM':
      return shutdown(ctx, request, a.vm, a.node);
    case 'suspendVM':
    case 'resumeVM':
      if (a.from !== a.to) return { status: 'failed', error: `${describeNamedAction(a)}: libvirt pauses a domain where it runs; moving it while suspended is not supported` };
      return simple(ctx, request, a.from, [a.kind === 'suspendVM' ? 'suspend' : 'resume', '--domain', a.vm]);
    case 'killVM':
      return kill(ctx, request, a.vm, a.node);
    case 'bootNode':
    case 'shutdownNode':
      return power(ctx, request, a.node, a.kind === 'bootNode' ? 'on' : 'off');
    case 'forgeVM':
    case 'allocate':
      return { status: 'failed', error: `${describeNamedAction(a)}: the libvirt provider does not perform ${a.kind} actions` };
  }
}

/** Runs `task` with a session on `node`; a host that cannot be reached is a failed outcome. */
async function onHost(ctx: Ctx, node: string, action: NamedAction, task: (session: SshSession, host: HostConfig) => Promise<EffectOutcome>): Promise<EffectOutcome> {
  // effects do not take a slot of the read limit: a long migration must not starve the reads
  const attempt = await ctx.access.withSession(node, task, false);
  return attempt.ok ? attempt.value : { status: 'failed', error: `${describeNamedAction(action)}: ${attempt.failure.message}` };
}

function failed(action: NamedAction, result: CommandResult & { ok: false }): EffectOutcome {
  return result.timedOut ? { status: 'timed-out', error: `${describeNamedAction(action)}: ${result.error}` } : { status: 'failed', error: `${describeNamedAction(action)}: ${result.error}` };
}

function simple(ctx: Ctx, request: EffectRequest, node: string, args: string[]): Promise<EffectOutcome> {
  return onHost(ctx, node, request.action, async (session, host) => {
    const r = await virsh(session, host, args, { timeoutMs: Math.min(request.timeoutMs, host.commandTimeoutMs), signal: request.signal });
    if (request.signal.aborted) return { status: 'cancelled' };
    return r.ok ? { status: 'succeeded' } : failed(request.action, r);
  });
}

// ---- migration ---------------------------------------------------------------------------------

async function migrate(ctx: Ctx, request: EffectRequest, a: NamedAction & { kind: 'migrateVM' }): Promise<EffectOutcome> {
  const command = migrationCommand(ctx.access, a.vm, a.to, ['--live', '--persistent', '--undefinesource', '--auto-converge', '--p2p']);
  if (!command.ok) return { status: 'failed', error: `${describeNamedAction(a)}: ${command.error}` };
  // The source's libvirtd connects to the destination itself (peer to peer), with no timeout of
  // this cluster's: toward a silent destination it waits out the kernel's TCP SYN retries (about
  // 127 s on Linux) before virsh fails. So the destination must answer Ferry first, within its
  // connect timeout, and keep answering while the migration runs: SSH keepalives on a connection
  // held open (answered by sshd itself, so a destination busy with the incoming guest still
  // answers), two unanswered half a connect timeout apart and the destination is lost.
  const destHost = ctx.access.host(a.to);
  const keepalive = { intervalMs: Math.max(500, Math.round((destHost?.connectTimeoutMs ?? 10_000) / 2)), countMax: 1 };
  const watched = await ctx.access.withSession(
    a.to,
    async (destination) => {
      const startedAt = Date.now();
      ctx.inFlight.set(a.vm, { kind: 'migrate', to: a.to, startedAt, fraction: 0, requestId: request.requestId });
      try {
        return await onHost(ctx, a.from, a, (session, host) => followMigration(ctx, session, host, request, a, command.args, destination));
      } finally {
        ctx.inFlight.delete(a.vm);
      }
    },
    false,
    keepalive,
  );
  if (watched.ok) return watched.value;
  return { status: 'failed', error: `${describeNamedAction(a)}: the destination does not answer, nothing was started: ${watched.failure.message}` };
}

/**
 * Runs the migration on the source host and polls `domjobinfo` beside it for progress. A cancel,
 * the timeout or the destination's connection lost (its keepalives unanswered) sends `domjobabort`
 * and waits (bounded) for virsh to report how it ended.
 */
async function followMigration(ctx: Ctx, session: SshSession, host: HostConfig, request: EffectRequest, a: NamedAction & { kind: 'migrateVM' }, args: readonly string[], destination: SshSession): Promise<EffectOutcome> {
  const timeoutMs = Math.min(request.timeoutMs, host.migrationTimeoutMs);
  // the command's own limit is a backstop: the abort below normally ends it first
  const running = virsh(session, host, args, { timeoutMs: timeoutMs + host.commandTimeoutMs });
  let ended: CommandResult | null = null;
  void running.then((r) => {
    ended = r;
  });
  const deadline = Date.now() + timeoutMs;
  let why: 'cancel' | 'timeout' | 'destination' | null = null;
  while (ended === null) {
    await waitFor(Math.min(ctx.pollMs, Math.max(0, deadline - Date.now())), request.signal, running);
    if (ended !== null) break;
    if (request.signal.aborted) why = 'cancel';
    else if (Date.now() >= deadline) why = 'timeout';
    else if (destination.lost() !== null) why = 'destination';
    if (why !== null) break;
    await reportJob(ctx, session, host, request, a);
  }
  if (why !== null) {
    const abort = await virsh(session, host, ['domjobabort', '--domain', a.vm], { timeoutMs: host.commandTimeoutMs });
    const result = await Promise.race([running, sleep(host.commandTimeoutMs).then(() => null)]);
    const seconds = Math.round(timeoutMs / 1000);
    if (result?.ok) return { status: 'succeeded' };
    if (why === 'cancel') return abort.ok || result !== null ? { status: 'cancelled' } : { status: 'failed', error: `${describeNamedAction(a)}: cancel asked, but ${abort.error}; the cluster is read again to learn where ${a.vm} runs` };
    const aborted = abort.ok ? 'aborted with domjobabort' : `domjobabort failed (${abort.error})`;
    if (why === 'destination') return { status: 'failed', error: `${describeNamedAction(a)}: the destination ${a.to} stopped answering (${destination.lost() ?? 'no answer'}), ${aborted}; the cluster is read again to learn where ${a.vm} runs` };
    return { status: 'timed-out', error: `${describeNamedAction(a)}: not finished within ${seconds} s, ${aborted}; the cluster is read again to learn where ${a.vm} runs` };
  }
  const result = ended as CommandResult | null;
  if (result === null || result.ok) return { status: 'succeeded' };
  if (/canceled by client|cancelled by client/i.test(result.error)) return { status: 'cancelled' };
  return result.timedOut || /connection .* lost/.test(result.error)
    ? { status: 'timed-out', error: `${describeNamedAction(a)}: ${result.error}; the migration may still complete on the hosts` }
    : { status: 'failed', error: `${describeNamedAction(a)}: ${result.error}` };
}

async function reportJob(ctx: Ctx, session: SshSession, host: HostConfig, request: EffectRequest, a: NamedAction & { kind: 'migrateVM' }): Promise<void> {
  const info = await virsh(session, host, ['domjobinfo', '--domain', a.vm], { timeoutMs: host.commandTimeoutMs });
  if (!info.ok) return;
  const job = parseDomJobInfo(info.stdout);
  if (!job.ok || job.value.type === 'None') return;
  const fraction = jobFraction(job.value);
  if (fraction === undefined) return;
  const previous = ctx.inFlight.get(a.vm);
  if (previous) ctx.inFlight.set(a.vm, { ...previous, fraction });
  const { processedBytes, remainingBytes, totalBytes } = job.value;
  try {
    request.onProgress({
      fraction,
      ...(processedBytes === undefined ? {} : { bytesMoved: processedBytes }),
      ...(totalBytes === undefined ? (processedBytes !== undefined && remainingBytes !== undefined ? { bytesTotal: processedBytes + remainingBytes } : {}) : { bytesTotal: totalBytes }),
      secondsLeft: null,
      message: `${describeNamedAction(a)}: ${Math.round(fraction * 100)} %`,
    });
  } catch {
    // a listener's bug is not the migration's failure
  }
}

// ---- lifecycle ---------------------------------------------------------------------------------

/** Starts a domain; one defined on another host is first moved there offline (its definition only). */
async function boot(ctx: Ctx, request: EffectRequest, vm: string, node: string): Promise<EffectOutcome> {
  const action = request.action;
  const definedOn = ctx.provider
    .lastRecords()
    .find((r) => !r.stale && r.facts?.domains.some((d) => d.name === vm))
    ?.host.name;
  if (definedOn !== undefined && definedOn !== node) {
    const command = migrationCommand(ctx.access, vm, node, ['--offline', '--persistent', '--undefinesource']);
    if (!command.ok) return { status: 'failed', error: `${describeNamedAction(action)}: ${command.error}` };
    const moved = await onHost(ctx, definedOn, action, async (session, host) => {
      const r = await virsh(session, host, command.args, { timeoutMs: host.commandTimeoutMs, signal: request.signal });
      return r.ok ? { status: 'succeeded' } : failed(action, r);
    });
    if (moved.status !== 'succeeded') return moved;
  }
  return simple(ctx, request, node, ['start', '--domain', vm]);
}

/** `virsh shutdown`, then `destroy` when the guest has not stopped within the shutdown timeout. */
function shutdown(ctx: Ctx, request: EffectRequest, vm: string, node: string): Promise<EffectOutcome> {
  const action = request.action;
  return onHost(ctx, node, action, async (session, host) => {
    const asked = await virsh(session, host, ['shutdown', '--domain', vm], { timeoutMs: host.commandTimeoutMs, signal: request.signal });
    if (!asked.ok) return failed(action, asked);
    const graceMs = Math.min(host.shutdownTimeoutMs, Math.max(0, request.timeoutMs - host.commandTimeoutMs));
    const deadline = Date.now() + graceMs;
    for (;;) {
      if (request.signal.aborted) return { status: 'cancelled' };
      const state = await virsh(session, host, ['domstate', '--domain', vm], { timeoutMs: host.commandTimeoutMs });
      const parsed = state.ok ? parseDomState(state.stdout) : null;
      if (parsed?.ok && parsed.value === 'shut off') return { status: 'succeeded' };
      if (Date.now() >= deadline) break;
      await waitFor(Math.min(ctx.pollMs, Math.max(0, deadline - Date.now())), request.signal);
    }
    progress(request, `${vm} did not stop within ${Math.round(graceMs / 1000)} s: destroying it`);
    const destroyed = await virsh(session, host, ['destroy', '--domain', vm], { timeoutMs: host.commandTimeoutMs });
    return destroyed.ok ? { status: 'succeeded' } : failed(action, destroyed);
  });
}

/** Stops the domain hard (when it runs) and removes its definition; its disks stay. */
function kill(ctx: Ctx, request: EffectRequest, vm: string, node: string | null): Promise<EffectOutcome> {
  const action = request.action;
  const where = node ?? ctx.provider.lastRecords().find((r) => r.facts?.domains.some((d) => d.name === vm))?.host.name;
  if (where === undefined) return Promise.resolve({ status: 'failed', error: `${describeNamedAction(action)}: no host is known to hold ${vm}` });
  return onHost(ctx, where, action, async (session, host) => {
    const destroyed = await virsh(session, host, ['destroy', '--domain', vm], { timeoutMs: host.commandTimeoutMs });
    if (!destroyed.ok && !/not running/i.test(destroyed.error)) return failed(action, destroyed);
    const undefined_ = await virsh(session, host, ['undefine', '--domain', vm], { timeoutMs: host.commandTimeoutMs });
    return undefined_.ok ? { status: 'succeeded' } : failed(action, undefined_);
  });
}

/** Power through the configured command, then waits until the host answers SSH (on) or stops answering (off). */
async function power(ctx: Ctx, request: EffectRequest, node: string, which: 'on' | 'off'): Promise<EffectOutcome> {
  const action = request.action;
  const host = ctx.access.host(node);
  if (!host) return { status: 'failed', error: `${describeNamedAction(action)}: ${node} is not a host of this cluster` };
  const limitMs = Math.min(request.timeoutMs, host.powerTimeoutMs);
  const deadline = Date.now() + limitMs;
  const ran = await runPowerCommand(ctx.access, host, which, Math.min(limitMs, host.commandTimeoutMs), request.signal);
  if (!ran.ok) return { status: 'failed', error: `${describeNamedAction(action)}: ${ran.error}` };
  for (;;) {
    if (request.signal.aborted) return { status: 'cancelled' };
    const probe = await ctx.access.withSession(node, () => Promise.resolve(true), false);
    if (probe.ok === (which === 'on')) {
      ctx.provider.notePower(node, which);
      return { status: 'succeeded' };
    }
    if (Date.now() >= deadline) {
      return { status: 'timed-out', error: `${describeNamedAction(action)}: ${node} ${which === 'on' ? 'does not answer SSH' : 'still answers SSH'} ${Math.round(limitMs / 1000)} s after the power-${which} command` };
    }
    progress(request, `waiting for ${node} to ${which === 'on' ? 'come up' : 'go down'}`);
    await waitFor(Math.min(Math.max(ctx.pollMs, 2000), Math.max(0, deadline - Date.now())), request.signal);
  }
}

function progress(request: EffectRequest, message: string): void {
  try {
    request.onProgress({ fraction: 0, secondsLeft: null, message });
  } catch {
    // a listener's bug is not the operation's failure
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
