/**
 * A cluster of in-process SSH hosts that answer `virsh` as libvirt 9 does (recorded formats):
 * node facts, `domstats --raw`, lifecycle commands and peer-to-peer migrations that progress over
 * time (`domjobinfo`) and can be aborted (`domjobabort`). A command not run under `LC_ALL=C`
 * gets a translated answer (which the parsers refuse), as a French host would print it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Answer, FakeHost, type KeyPair, keyPair } from './fake-host.js';
import { recorded } from './recorded.js';

export interface FakeDomain {
  name: string;
  state: 'running' | 'paused' | 'shut off';
  reason?: number;
  vcpus: number;
  memKiB: number;
}

interface Job {
  readonly to: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly totalBytes: number;
  finish(answer: Answer): void;
}

export interface HostSpec {
  readonly name: string;
  readonly cpus?: number;
  readonly memKiB?: number;
  readonly domains?: readonly Omit<FakeDomain, 'reason'>[];
  readonly rack?: string;
}

export type Override = (argv: readonly string[], command: string) => Answer | Promise<Answer> | undefined;

export interface FakeHypervisor {
  readonly name: string;
  readonly host: FakeHost;
  readonly domains: Map<string, FakeDomain>;
  cpus: number;
  memKiB: number;
  rack?: string;
  /** Fault injection: an answer here replaces the emulated one. */
  override?: Override;
}

export class FakeCluster {
  readonly dir: string;
  readonly clientKey: KeyPair;
  readonly hosts = new Map<string, FakeHypervisor>();
  readonly jobs = new Map<string, Job>();
  /** Command lines a shell would have read otherwise than as quoted words (must stay empty). */
  readonly injections: string[] = [];
  /** How long a migration takes (ms); Infinity: it never converges. */
  migrationMs = 300;
  /** Shutdown requests are ignored (a guest without ACPI), so destroy is needed. */
  guestsIgnoreShutdown = false;

  private constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'ferry-libvirt-'));
    this.clientKey = keyPair();
  }

  /** Also accepted by every host, when set: a password login. */
  password: string | undefined;
  /** How hosts take the password: the `password` method, or only PAM's keyboard-interactive prompt. */
  passwordVia: 'password' | 'keyboard-interactive' = 'password';

  static async start(specs: readonly HostSpec[], clientKey?: KeyPair, password?: string): Promise<FakeCluster> {
    const cluster = new FakeCluster();
    if (clientKey) Object.assign(cluster, { clientKey });
    cluster.password = password;
    await Promise.all(specs.map((spec) => cluster.addHost(spec)));
    return cluster;
  }

  async addHost(spec: HostSpec): Promise<FakeHypervisor> {
    const hv: FakeHypervisor = {
      name: spec.name,
      host: undefined as unknown as FakeHost,
      domains: new Map((spec.domains ?? []).map((d) => [d.name, { ...d }])),
      cpus: spec.cpus ?? 2,
      memKiB: spec.memKiB ?? 4548824,
      ...(spec.rack === undefined ? {} : { rack: spec.rack }),
    };
    Object.assign(hv, { host: await FakeHost.start(spec.name, { clientKey: this.clientKey, handler: (command) => this.answer(hv, command), ...(this.password === undefined ? {} : { password: this.password, passwordVia: this.passwordVia }) }) });
    this.hosts.set(spec.name, hv);
    return hv;
  }

  hv(name: string): FakeHypervisor {
    const hv = this.hosts.get(name);
    if (!hv) throw new Error(`no fake host ${name}`);
    return hv;
  }

  /** Where each domain is, by name: host names (two while a migration runs). */
  whereIs(vm: string): string[] {
    return [...this.hosts.values()].filter((h) => h.domains.has(vm)).map((h) => h.name);
  }

  /**
   * Writes the private key, known_hosts (every host's key, unless `unknown` names it) and the
   * cluster YAML; returns the YAML's path.
   */
  writeConfig(options: { extra?: string; unknown?: readonly string[]; hostExtra?: Readonly<Record<string, string>>; extraHosts?: readonly { name: string; port: number }[]; file?: string } = {}): string {
    const key = path.join(this.dir, 'id_ed25519');
    writeFileSync(key, this.clientKey.privateKey, { mode: 0o600 });
    const known = [...this.hosts.values()].filter((h) => !(options.unknown ?? []).includes(h.name)).map((h) => h.host.knownHostsLine());
    writeFileSync(path.join(this.dir, 'known_hosts'), `${known.join('\n')}\n`);
    const hosts = [...this.hosts.values()].map((h) => ({ name: h.name, port: h.host.port, rack: h.rack })).concat((options.extraHosts ?? []).map((h) => ({ ...h, rack: undefined })));
    const overridden = new Set((options.extra ?? '').split('\n').map((l) => l.split(':')[0]?.trim()));
    const lines = [
      'name: fake',
      'user: root',
      'identityFile: ./id_ed25519',
      'knownHosts: ./known_hosts',
      'sshConfig: none',
      "migrationUri: 'qemu+ssh://{address}:{port}/system'",
      ...['connectTimeoutSeconds: 2', 'commandTimeoutSeconds: 2'].filter((l) => !overridden.has(l.split(':')[0])),
      ...(options.extra ? [options.extra] : []),
      'hosts:',
      ...hosts.flatMap((h) => [`  - name: ${h.name}`, '    address: 127.0.0.1', `    port: ${h.port}`, ...(h.rack ? [`    rack: ${h.rack}`] : []), ...(options.hostExtra?.[h.name] ? [options.hostExtra[h.name] as string] : [])]),
    ];
    const file = path.join(this.dir, options.file ?? 'cluster.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.finish({ code: 1, stderr: 'error: host shut down\n' });
    await Promise.all([...this.hosts.values()].map((h) => h.host.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- the emulated virsh -------------------------------------------------------------------

  private answer(hv: FakeHypervisor, command: string): Answer | Promise<Answer> {
    const localeC = command.startsWith('LC_ALL=C ');
    const argv = shellWords(localeC ? command.slice('LC_ALL=C '.length) : command);
    if (argv === null) {
      this.injections.push(command);
      return { code: 2, stderr: 'sh: syntax error: unexpected shell metacharacter or open quote\n' };
    }
    const overridden = hv.override?.(argv, command);
    if (overridden) return overridden;
    if (argv[0] !== 'virsh') return { code: 127, stderr: `sh: 1: ${argv[0] ?? ''}: not found\n` };
    let rest = argv.slice(1);
    if (rest[0] === '-c') rest = rest.slice(2);
    if (!localeC) return { stdout: 'Modèle de processeur: x86_64\nProcesseur(s): 2\nTaille mémoire: 4548824 Kio\n' };
    const opt = (name: string): string | undefined => {
      const i = rest.indexOf(name);
      return i < 0 ? undefined : rest[i + 1];
    };
    const domain = opt('--domain');
    const dom = domain === undefined ? undefined : hv.domains.get(domain);
    const noDomain: Answer = { code: 1, stderr: `error: failed to get domain '${domain ?? ''}'\n` };
    switch (rest[0]) {
      case 'version':
        return { stdout: 'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\n\n' };
      case 'nodeinfo':
        return { stdout: recorded('nodeinfo.txt').replace('CPU(s):              2', `CPU(s):              ${hv.cpus}`).replace('4548824 KiB', `${hv.memKiB} KiB`) };
      case 'capabilities':
        return { stdout: capabilities(hv.cpus, hv.memKiB) };
      case 'nodememstats':
        return { stdout: `total  :              ${hv.memKiB} KiB\nfree   :              ${Math.floor(hv.memKiB / 2)} KiB\nbuffers:                52184 KiB\ncached :               803528 KiB\n` };
      case 'domstats':
        return { stdout: domstats(hv) };
      case 'dominfo':
        return dom ? { stdout: `Name:           ${dom.name}\nState:          ${dom.state}\nCPU(s):         ${dom.vcpus}\nMax memory:     ${dom.memKiB} KiB\n` } : noDomain;
      case 'domstate':
        return dom ? { stdout: `${dom.state}\n\n` } : noDomain;
      case 'start':
        if (!dom) return noDomain;
        if (dom.state !== 'shut off') return { code: 1, stderr: 'error: Domain is already active\n' };
        dom.state = 'running';
        return { stdout: `Domain '${dom.name}' started\n\n` };
      case 'shutdown':
        if (!dom) return noDomain;
        if (!this.guestsIgnoreShutdown) setTimeout(() => (dom.state = 'shut off'), 50);
        return { stdout: `Domain '${dom.name}' is being shutdown\n\n` };
      case 'destroy':
        if (!dom) return noDomain;
        if (dom.state === 'shut off') return { code: 1, stderr: 'error: Requested operation is not valid: domain is not running\n' };
        dom.state = 'shut off';
        return { stdout: `Domain '${dom.name}' destroyed\n\n` };
      case 'suspend':
      case 'resume':
        if (!dom) return noDomain;
        dom.state = rest[0] === 'suspend' ? 'paused' : 'running';
        return { stdout: `Domain '${dom.name}' ${rest[0] === 'suspend' ? 'suspended' : 'resumed'}\n\n` };
      case 'undefine':
        if (!dom) return noDomain;
        hv.domains.delete(dom.name);
        return { stdout: `Domain '${dom.name}' has been undefined\n\n` };
      case 'migrate':
        return this.migrate(hv, rest, domain);
      case 'domjobinfo':
        return this.jobInfo(hv, domain);
      case 'domjobabort': {
        const job = domain === undefined ? undefined : this.jobs.get(domain);
        if (!job) return { code: 1, stderr: 'error: Requested operation is not valid: no job is active on the domain\n' };
        job.finish({ code: 1, stderr: "error: operation aborted: job 'migration out' canceled by client\n" });
        return { stdout: '' };
      }
      default:
        return { code: 1, stderr: `error: unknown command: '${rest[0] ?? ''}'\n` };
    }
  }

  private migrate(hv: FakeHypervisor, rest: readonly string[], domain: string | undefined): Answer | Promise<Answer> {
    const uri = rest[rest.indexOf('--desturi') + 1] ?? '';
    const port = Number(/:(\d+)\/system$/.exec(uri)?.[1]);
    const dest = [...this.hosts.values()].find((h) => h.host.port === port);
    const dom = domain === undefined ? undefined : hv.domains.get(domain);
    if (!dest) return { code: 1, stderr: `error: unable to connect to server at '${uri}': Connection refused\n` };
    if (!dom || domain === undefined) return { code: 1, stderr: `error: failed to get domain '${domain ?? ''}'\n` };
    if (dest === hv) return { code: 1, stderr: 'error: internal error: Attempt to migrate guest to the same host 00000000-0000-4000-8000-000000000001\n' };
    if (rest.includes('--offline')) {
      hv.domains.delete(domain);
      dest.domains.set(domain, { ...dom });
      return { stdout: '' };
    }
    if (this.jobs.has(domain)) return { code: 1, stderr: `error: Requested operation is not valid: another migration job is already running for domain '${domain}'\n` };
    if (dom.state !== 'running') return { code: 1, stderr: 'error: Requested operation is not valid: domain is not running\n' };
    dest.domains.set(domain, { ...dom, state: 'paused', reason: 2 });
    return new Promise<Answer>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const job: Job = {
        to: dest.name,
        startedAt: Date.now(),
        durationMs: this.migrationMs,
        totalBytes: dom.memKiB * 1024,
        finish: (answer) => {
          clearTimeout(timer);
          this.jobs.delete(domain);
          if (answer.code === 0 || answer.code === undefined) {
            hv.domains.delete(domain);
            dest.domains.set(domain, { ...dom, state: 'running' });
          } else dest.domains.delete(domain);
          resolve(answer);
        },
      };
      this.jobs.set(domain, job);
      if (Number.isFinite(this.migrationMs)) timer = setTimeout(() => job.finish({ stdout: '\nMigration: [100 %]\n' }), this.migrationMs);
    });
  }

  private jobInfo(hv: FakeHypervisor, domain: string | undefined): Answer {
    const job = domain === undefined ? undefined : this.jobs.get(domain);
    if (!job || !hv.domains.has(domain ?? '')) return { stdout: 'Job type:         None        \n\n' };
    const elapsed = Date.now() - job.startedAt;
    const fraction = Number.isFinite(job.durationMs) ? Math.min(0.99, elapsed / job.durationMs) : Math.min(0.5, elapsed / 10_000);
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(3)} MiB`;
    const done = job.totalBytes * fraction;
    return {
      stdout: [
        'Job type:         Unbounded',
        'Operation:        Outgoing migration',
        `Time elapsed:     ${elapsed}         ms`,
        `Data processed:   ${mib(done)}`,
        `Data remaining:   ${mib(job.totalBytes - done)}`,
        `Data total:       ${mib(job.totalBytes)}`,
        'Iteration:        1',
        '',
      ].join('\n'),
    };
  }
}

function domstats(hv: FakeHypervisor): string {
  const blocks = [...hv.domains.values()].map((d) => {
    const state = d.state === 'running' ? 1 : d.state === 'paused' ? 3 : 5;
    const lines = [`Domain: '${d.name}'`, `  state.state=${state}`, `  state.reason=${d.reason ?? 1}`];
    if (d.state !== 'shut off') lines.push('  cpu.time=6173424000', `  balloon.current=${d.memKiB}`, `  balloon.maximum=${d.memKiB}`, `  balloon.rss=${Math.floor(d.memKiB * 0.6)}`);
    // like older libvirt for inactive domains: no vcpu and balloon fields (dominfo tells)
    if (d.state !== 'shut off') lines.push(`  vcpu.current=${d.vcpus}`, `  vcpu.maximum=${d.vcpus}`);
    lines.push('  net.count=0', '  block.count=0');
    return `${lines.join('\n')}\n`;
  });
  return `${blocks.join('\n')}\n`;
}

function capabilities(cpus: number, memKiB: number): string {
  const cpuLines = Array.from({ length: cpus }, (_, i) => `            <cpu id='${i}' socket_id='0' die_id='0' core_id='${i}' siblings='${i}'/>`).join('\n');
  return recorded('capabilities.xml')
    .replace("<memory unit='KiB'>4548824</memory>", `<memory unit='KiB'>${memKiB}</memory>`)
    .replace(/<cpus num='2'>[\s\S]*?<\/cpus>/, `<cpus num='${cpus}'>\n${cpuLines}\n          </cpus>`);
}

/**
 * POSIX shell words of a line made of plain words and single-quoted parts; null on an open quote
 * or on an unquoted shell metacharacter (what a badly quoted name would let through).
 */
export function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (';|&$`<>(){}*?!#~\n"'.includes(c)) {
      return null;
    } else if (c === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
