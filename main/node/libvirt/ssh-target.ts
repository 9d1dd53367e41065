/**
 * Where and as whom to connect, as `ssh` would decide it: the cluster file's explicit values
 * first (like ssh's command line), then ~/.ssh/config (Host aliases, HostName, User, Port,
 * IdentityFile, UserKnownHostsFile, ProxyJump), then OpenSSH's defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';

import SSHConfig from 'ssh-config';

import type { HostConfig } from './config.js';

export interface SshTarget {
  /** The host's name in the cluster (for messages). */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
  readonly knownHostsFile: string;
  readonly askPassword: boolean;
  /** `file:line:col` of the cluster file's `askPassword: true`, for a located error when no one can be asked. */
  readonly askPasswordAt?: string;
  readonly connectTimeoutMs: number;
  /** Hosts to hop through first (ProxyJump), outermost first. */
  readonly jumps: readonly SshTarget[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const MAX_JUMPS = 4;

/** Reads an ssh_config file once; a missing file is an empty config. */
export function loadSshConfig(file: string | null): SSHConfig | null {
  if (file === null || !existsSync(file)) return null;
  try {
    return SSHConfig.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the SSH config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function resolveTarget(host: HostConfig, sshConfig: SSHConfig | null): SshTarget {
  const target = resolve(host.address, host.name, sshConfig, {
    port: host.port,
    user: host.user,
    identityFile: host.identityFile,
    knownHosts: host.knownHosts,
    askPassword: host.askPassword,
    connectTimeoutMs: host.connectTimeoutMs,
    depth: 0,
  });
  return host.askPasswordAt === undefined ? target : { ...target, askPasswordAt: host.askPasswordAt };
}

interface Explicit {
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly identityFile: string | undefined;
  readonly knownHosts: string | undefined;
  readonly askPassword: boolean;
  readonly connectTimeoutMs: number;
  readonly depth: number;
}

function resolve(alias: string, label: string, sshConfig: SSHConfig | null, explicit: Explicit): SshTarget {
  // matchExec: false — a config file must not make Ferry run commands
  const computed = sshConfig ? sshConfig.compute(alias, { ignoreCase: true, matchExec: false }) : {};
  const get = (key: string): string | undefined => {
    const v = computed[key.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const all = (key: string): string[] => {
    const v = computed[key.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const home = homedir();
  const expand = (p: string): string => (p.startsWith('~/') ? path.join(home, p.slice(2)) : p.replace(/%d/g, home));
  const configPort = get('Port');
  const port = explicit.port ?? (configPort !== undefined && /^\d+$/.test(configPort) ? Number(configPort) : 22);
  const user = explicit.user ?? get('User') ?? userInfo().username;
  const identityFiles =
    explicit.identityFile !== undefined
      ? [explicit.identityFile]
      : all('IdentityFile').length > 0
        ? all('IdentityFile').map(expand)
        : DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k)).filter((f) => existsSync(f));
  const knownHostsFile = explicit.knownHosts ?? expand(get('UserKnownHostsFile')?.split(/\s+/)[0] ?? path.join(home, '.ssh', 'known_hosts'));
  const proxyJump = get('ProxyJump');
  const jumps: SshTarget[] = [];
  if (proxyJump !== undefined && proxyJump.toLowerCase() !== 'none') {
    if (explicit.depth >= MAX_JUMPS) throw new Error(`${label}: ProxyJump chains deeper than ${MAX_JUMPS} hops (a loop in the SSH config?)`);
    for (const hop of proxyJump.split(',')) {
      const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop.trim());
      if (!m) throw new Error(`${label}: cannot read ProxyJump ${JSON.stringify(hop)}`);
      const hopHost = (m[2] ?? '').replace(/^\[|\]$/g, '');
      const jump = resolve(hopHost, `${label} (via ${hopHost})`, sshConfig, {
        port: m[3] === undefined ? undefined : Number(m[3]),
        user: m[1],
        identityFile: undefined,
        knownHosts: explicit.knownHosts,
        askPassword: false,
        connectTimeoutMs: explicit.connectTimeoutMs,
        depth: explicit.depth + 1,
      });
      jumps.push(...jump.jumps, { ...jump, jumps: [] });
    }
  }
  return { label, host: get('HostName') ?? alias, port, user, identityFiles, knownHostsFile, askPassword: explicit.askPassword, connectTimeoutMs: explicit.connectTimeoutMs, jumps };
}
