/**
 * A libvirt cluster opened from its YAML file: the provider/effector pair over one SSH access,
 * the Connect screen's checks (can every host be reached, which host keys are new), and trusting
 * a host key the operator confirmed. A cluster is named by its file: `libvirt:<absolute path>`.
 */
import path from 'node:path';

import type { Effector } from '../../../src/cluster/ports.js';
import { ClusterAccess } from './access.js';
import { type ClusterConfig, readClusterConfig } from './config.js';
import { type LibvirtEffectorOptions, libvirtEffector } from './effector.js';
import { fingerprint, hostEntryName, trustHostKey } from './known-hosts.js';
import { powerState, powerStateFile } from './power-state.js';
import { type InFlight, type LibvirtProvider, libvirtProvider } from './provider.js';
import { virshCommand } from './shell.js';
import type { SshOptions } from './ssh.js';

export const LIBVIRT_PREFIX = 'libvirt:';

export function libvirtClusterId(configFile: string): string {
  return `${LIBVIRT_PREFIX}${path.resolve(configFile)}`;
}

export interface LibvirtCluster {
  readonly id: string;
  readonly config: ClusterConfig;
  readonly access: ClusterAccess;
  readonly provider: LibvirtProvider;
  readonly effector: Effector;
}

export interface LibvirtClusterOptions extends SshOptions, LibvirtEffectorOptions {
  /** A folder for what must outlive the process (the hosts Ferry powered off); in memory only when absent. */
  readonly stateDir?: string;
}

/** Reads the file (ClusterConfigError, located, when it is wrong) and wires the ports. */
export function openLibvirtCluster(configFile: string, options: LibvirtClusterOptions = {}): LibvirtCluster {
  const config = readClusterConfig(configFile);
  const id = libvirtClusterId(config.file);
  const access = new ClusterAccess(config, options);
  const inFlight: InFlight = new Map();
  const powered = powerState(options.stateDir === undefined ? undefined : powerStateFile(options.stateDir, config.file));
  const provider = libvirtProvider(access, id, inFlight, Date.now, powered);
  return { id, config, access, provider, effector: libvirtEffector(access, provider, inFlight, options) };
}

/** What the Connect screen shows per host: reachable, or why not (an unknown key with its fingerprint). */
export interface HostCheck {
  readonly host: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly unknownHostKey?: { readonly fingerprint: string; readonly keyType: string };
  readonly hostKeyChanged?: boolean;
  readonly elapsedMs: number;
}

/** Connects to every host (within the concurrency limit) and runs `virsh version` on each. */
export async function checkHosts(cluster: LibvirtCluster): Promise<HostCheck[]> {
  return Promise.all(
    cluster.config.hosts.map(async (host): Promise<HostCheck> => {
      const started = Date.now();
      const attempt = await cluster.access.withSession(host.name, async (session) => session.exec(virshCommand(host.libvirtUri, ['version']), { timeoutMs: host.commandTimeoutMs }));
      const elapsedMs = Date.now() - started;
      if (!attempt.ok) {
        const f = attempt.failure;
        return {
          host: host.name,
          reachable: false,
          error: f.message,
          elapsedMs,
          ...(f.kind === 'unknown-host-key' ? { unknownHostKey: { fingerprint: f.fingerprint, keyType: f.keyType } } : {}),
          ...(f.kind === 'host-key-changed' ? { hostKeyChanged: true } : {}),
        };
      }
      const r = attempt.value;
      if (r.code !== 0) return { host: host.name, reachable: false, error: `${host.name}: SSH works but virsh does not (${r.error ?? `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`})`, elapsedMs };
      return { host: host.name, reachable: true, elapsedMs };
    }),
  );
}

export type TrustResult = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly error: string };

/**
 * Adds the host's key to its known_hosts file, provided the key the host shows now is the one the
 * operator confirmed (`fingerprint`). A key that is listed with another value is never replaced.
 */
export async function trustHost(cluster: LibvirtCluster, hostName: string, confirmed: string): Promise<TrustResult> {
  const probed = await cluster.access.probeHostKey(hostName);
  if (!probed.ok) return { ok: false, error: `${hostName}: its host key could not be read (${probed.failure.message})` };
  const seen = fingerprint(probed.key);
  if (seen !== confirmed) return { ok: false, error: `${hostName} now shows ${seen}, not the confirmed ${confirmed}: nothing was trusted` };
  const { target } = probed;
  const check = await cluster.access.withSession(hostName, () => Promise.resolve(true));
  if (check.ok) return { ok: true, file: target.knownHostsFile };
  if (check.failure.kind !== 'unknown-host-key') return { ok: false, error: check.failure.message };
  trustHostKey(target.knownHostsFile, hostEntryName(target.host, target.port), probed.key);
  return { ok: true, file: target.knownHostsFile };
}
