/**
 * The `virsh migrate` line for a domain and a destination: the URI is the destination as the
 * *source* host reaches it (peer-to-peer: the source libvirtd connects), from the cluster file's
 * `migrationUri` template (`qemu+ssh://{address}/system` by default).
 */
import type { ClusterAccess } from './access.js';
import { fillUri } from './shell.js';

export function migrationCommand(access: ClusterAccess, vm: string, to: string, flags: readonly string[]): { ok: true; args: string[] } | { ok: false; error: string } {
  const dest = access.host(to);
  const target = access.target(to);
  if (!dest || !target) return { ok: false, error: `${to} is not a host of cluster ${access.config.name}` };
  const uri = fillUri(dest.migrationUri, { address: target.host, name: dest.name, port: String(target.port), user: target.user });
  return { ok: true, args: ['migrate', ...flags, '--domain', vm, '--desturi', uri] };
}
