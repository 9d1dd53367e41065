import { readFileSync } from 'node:fs';

import { formatUtc } from '../../../src/report/journal-records.js';

/**
 * The run lock's rules: one run per cluster at a time, across processes and operators sharing a
 * journal. The row lives in the journal (table `locks`, changed only inside BEGIN IMMEDIATE); the
 * decisions live here, so that the messages read the same wherever a lock is refused.
 */

export interface LockHolder {
  readonly runId: string;
  /** The operator's user name. */
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** When the lock was taken (ms since the epoch). */
  readonly since: number;
  /** Last sign of life of the holder (ms since the epoch). */
  readonly heartbeat: number;
}

export type LockRequest = Omit<LockHolder, 'since' | 'heartbeat'>;

/** A holder silent for longer than this is taken for gone (the driver beats far more often). */
export const STALE_AFTER_MS = 120_000;

/** Why a lock is stale: its process is gone (same host), or it stopped beating. */
export type Staleness = { readonly kind: 'dead' } | { readonly kind: 'silent'; readonly since: number };

export interface HostView {
  readonly host: string;
  /** Whether a process of this host is alive. */
  readonly alive: (pid: number) => boolean;
}

/**
 * A pid is checked only on its own host: on another machine the same number is someone else.
 * (A pid reused on this host by an unrelated process makes a dead holder look alive; the
 * heartbeat's age then decides, after STALE_AFTER_MS.)
 */
export function staleness(holder: LockHolder, now: number, here: HostView): Staleness | null {
  if (holder.host === here.host && !here.alive(holder.pid)) return { kind: 'dead' };
  if (now - holder.heartbeat > STALE_AFTER_MS) return { kind: 'silent', since: holder.heartbeat };
  return null;
}

/** `process.kill(pid, 0)` probes without signalling: ESRCH means no such process, EPERM means alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * A process killed without warning stays a zombie until its parent reaps it (seconds, under some
 * init systems): it answers kill(0) but will never run again. Linux tells it from /proc.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export function sameProcess(a: LockRequest, b: LockRequest): boolean {
  return a.host === b.host && a.pid === b.pid;
}

/** `run r…-3fa9 (alice@ws1, pid 4242) since 2026-12-07 11:45:02 UTC` */
export function describeHolder(h: LockHolder): string {
  return `run ${h.runId} (${h.user}@${h.host}, pid ${h.pid}) since ${formatUtc(h.since)} UTC`;
}

/** Why a lock request is refused, in operator words and with what to do about it. */
export function refusal(clusterId: string, holder: LockHolder, stale: Staleness | null, request: LockRequest): string {
  const held = `cluster ${clusterId} is held by ${describeHolder(holder)}`;
  if (stale) {
    const why = stale.kind === 'dead' ? 'the holder is not running any more' : `the holder has given no sign of life since ${formatUtc(stale.since)} UTC`;
    return `${held}; ${why} (stale lock): resume that run with \`ferry run --resume ${holder.runId}\`, or abort it with \`ferry run --abort ${holder.runId}\``;
  }
  if (holder.runId === request.runId) return `${held}: that run is already being carried out by another process; one process per run`;
  return `${held} (last sign of life ${formatUtc(holder.heartbeat)} UTC); one run per cluster at a time: wait for it to end, or abort it with \`ferry run --abort ${holder.runId}\``;
}
