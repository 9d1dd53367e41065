/**
 * Node power through the operator's own commands (IPMI, Wake-on-LAN, `poweroff` over SSH):
 * templates from the cluster file, `{placeholders}` filled with quoted values. A command's output
 * is never repeated (IPMI tools echo their arguments, passwords included): only its exit status.
 */
import { spawn } from 'node:child_process';

import type { CancelSignal } from '../../../src/cluster/ports.js';
import type { ClusterAccess } from './access.js';
import type { HostConfig, PowerCommand } from './config.js';
import { fillTemplate } from './shell.js';

export type PowerResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export async function runPowerCommand(access: ClusterAccess, host: HostConfig, which: 'on' | 'off', timeoutMs: number, signal?: CancelSignal): Promise<PowerResult> {
  const command: PowerCommand | undefined = host.power[which];
  const what = `the power-${which} command of ${host.name}`;
  if (!command) return { ok: false, error: `${host.name} has no power.${which} command in ${access.config.file}` };
  const target = access.target(host.name);
  const values = { name: host.name, address: target?.host ?? host.address, port: String(target?.port ?? 22), user: target?.user ?? '', ...host.vars };
  let line: string;
  try {
    line = fillTemplate(command.template, values);
  } catch (e) {
    return { ok: false, error: `${what}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (command.where === 'ssh') {
    const attempt = await access.withSession(host.name, (session) => session.exec(line, { timeoutMs, ...(signal ? { signal } : {}) }));
    if (!attempt.ok) return { ok: false, error: `${what}: ${attempt.failure.message}` };
    const r = attempt.value;
    // poweroff often takes the connection down before it reports: a lost connection is success here
    if (r.code === 0 || (which === 'off' && r.code === null && !r.timedOut)) return { ok: true };
    return { ok: false, error: `${what} ${r.timedOut ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : r.code === null ? 'ended without an exit status' : `exited ${r.code}`}` };
  }
  return runLocal(line, what, timeoutMs, signal);
}

function runLocal(line: string, what: string, timeoutMs: number, signal?: CancelSignal): Promise<PowerResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, error: `${what} did not finish within ${Math.round(timeoutMs / 1000)} s (stopped)` });
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `${what} could not start: ${e.message}` });
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(code === 0 ? { ok: true } : { ok: false, error: `${what} ${sig ? `was stopped (${sig})` : `exited ${code ?? '?'}`}` });
    });
  });
}
