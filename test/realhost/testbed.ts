/**
 * The real-host test harness: drives scripts/testbed/testbed.sh (network namespaces with their own
 * sshd, libvirtd and QEMU guests), runs Ferry as an operator does (real `ferry` processes) and
 * reads the hosts' truth with `virsh` inside their namespaces, never through Ferry.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TESTBED = join(ROOT, 'scripts', 'testbed', 'testbed.sh');
export const FERRY = join(ROOT, 'bin', 'ferry.js');

const run = promisify(execFile);

const TOOLS = ['ip', 'nsenter', 'unshare', 'ssh', 'ssh-keygen', '/usr/sbin/sshd', '/usr/sbin/libvirtd', 'virsh', 'qemu-system-x86_64', 'as', 'ld'];

/** Why the real-host tests cannot run here, or null when they can. In CI they run. */
export function missingPrerequisite(): string | null {
  if (process.platform !== 'linux') return 'real-host tests need Linux (network namespaces)';
  if (process.getuid?.() !== 0) return 'real-host tests need root (network namespaces, mounts); run them as .ci/run does';
  const missing = TOOLS.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length > 0 ? `real-host tests need ${missing.join(', ')} (Debian: openssh-server libvirt-daemon-system libvirt-clients qemu-system-x86 binutils iproute2; .ci/run installs them)` : null;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** One test bed, in its own data directory and its own /24 (`net`), so test files never collide. */
export class TestBed {
  readonly home: string;
  clusterFile = '';
  readonly timings: Record<string, number> = {};

  constructor(readonly net: number) {
    this.home = mkdtempSync(join(tmpdir(), `ferry-realhost-${net}-`));
  }

  get dir(): string {
    return join(this.home, 'testbed');
  }

  private args(...rest: string[]): string[] {
    return [TESTBED, '--home', this.home, '--net', String(this.net), ...rest];
  }

  up(hosts: number, vms: number): string {
    const t0 = performance.now();
    // libvirt's QEMU capabilities, probed once (8 s) for every test bed of the run; libvirt itself
    // discards the cache when QEMU or libvirtd changed
    const env = { ...process.env, TESTBED_CACHE: join(tmpdir(), 'ferry-testbed-qemu-caps') };
    const out = execFileSync('bash', this.args('up', '--hosts', String(hosts), '--vms', String(vms)), { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    this.timings.up = (performance.now() - t0) / 1000;
    this.clusterFile = out.trim().split('\n').at(-1) ?? '';
    return this.clusterFile;
  }

  /** Stops the test bed and removes its data directory (the capabilities cache goes with it). */
  down(keepHome = false): void {
    const t0 = performance.now();
    execFileSync('bash', this.args('down'), { stdio: 'ignore', timeout: 60_000 });
    this.timings.down = (performance.now() - t0) / 1000;
    if (!keepHome) rmSync(this.home, { recursive: true, force: true });
  }

  async sh(...rest: string[]): Promise<string> {
    const { stdout } = await run('bash', this.args(...rest), { timeout: 90_000 });
    return stdout;
  }

  /** `virsh` on a host, inside its namespaces: the host's own truth, independent of Ferry. */
  async virsh(host: string, ...args: string[]): Promise<string> {
    return this.sh('exec', host, '/usr/bin/virsh', '-q', '-c', 'qemu:///system', ...args);
  }

  async running(host: string): Promise<string[]> {
    const out = await this.virsh(host, 'list', '--name', '--state-running');
    return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  async defined(host: string): Promise<string[]> {
    const out = await this.virsh(host, 'list', '--name', '--all');
    return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  /** Powered off (by `testbed.sh power HOST off`, Ferry's power command): no sshd, no libvirtd, no guest. */
  isOff(host: string): boolean {
    return !existsSync(join(this.dir, host, 'sshd.pid')) && !existsSync(join(this.dir, host, 'libvirtd.pid'));
  }

  /** Where each running VM runs, read from every host (a VM running twice has two entries). */
  async placement(hosts: readonly string[]): Promise<Map<string, string[]>> {
    const where = new Map<string, string[]>();
    for (const h of hosts.filter((x) => !this.isOff(x))) for (const vm of await this.running(h)) where.set(vm, [...(where.get(vm) ?? []), h]);
    return where;
  }

  async fault(host: string, kind: string): Promise<void> {
    await this.sh('fault', host, kind);
  }

  /**
   * How many times QEMU was started for an incoming migration of `vm` on each host: libvirt logs
   * the command line of every QEMU it starts in the host's own /var/log/libvirt/qemu/VM.log.
   */
  incomingMigrations(vm: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of readdirSync(this.dir)) {
      if (!/^hv\d+$/.test(entry)) continue;
      const log = join(this.dir, entry, 'fs', 'var', 'log', 'libvirt', 'qemu', `${vm}.log`);
      if (!existsSync(log)) continue;
      const n = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('-incoming')).length;
      if (n > 0) counts.set(entry, n);
    }
    return counts;
  }

  env(): NodeJS.ProcessEnv {
    return { ...process.env, FERRY_HOME: this.home };
  }

  ferry(args: string[], input?: string, timeoutMs = 180_000): Promise<Finished> {
    return new Promise((resolve) => {
      const child = this.spawnFerry(args);
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      if (input !== undefined) child.stdin?.end(input);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, out, err });
      });
    });
  }

  spawnFerry(args: string[]): ChildProcess {
    return spawn(process.execPath, [FERRY, ...args], { env: this.env(), cwd: ROOT });
  }
}

/** Collects a child's output and resolves once `pattern` appears in it. */
export class Output {
  out = '';
  err = '';
  private waiters: { pattern: RegExp; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  private ended = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.check();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.err += d.toString();
      this.check();
    });
    this.exited = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.ended = true;
        for (const w of this.waiters) w.reject(this.exitError(w.pattern, code, signal));
        this.waiters = [];
        resolve({ code, signal });
      }),
    );
  }

  private exitError(pattern: RegExp, code: number | null, signal: NodeJS.Signals | null): Error {
    return new Error(`ferry ended (${signal ?? `exit ${code}`}) before printing ${pattern}; its output:\n${this.out}\n${this.err}`);
  }

  private check(): void {
    const all = this.out + this.err;
    this.waiters = this.waiters.filter((w) => {
      if (!w.pattern.test(all)) return true;
      w.resolve(all);
      return false;
    });
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      if (pattern.test(this.out + this.err)) return resolve(this.out + this.err);
      if (this.ended) return reject(this.exitError(pattern, this.child.exitCode, this.child.signalCode));
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output so far:\n${this.out}\n${this.err}`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

/** The plan's migrations as `ferry run` prints them: `s1   0'00 to 0'02  migrate vm31 hv3 → hv1`. */
export function plannedMigrations(out: string): { step: string; vm: string; from: string; to: string }[] {
  const found: { step: string; vm: string; from: string; to: string }[] = [];
  for (const m of out.matchAll(/^(s\d+) +\S+ to \S+ +migrate (\S+) (\S+) → (\S+)/gm)) {
    found.push({ step: m[1] as string, vm: m[2] as string, from: m[3] as string, to: m[4] as string });
  }
  return found;
}

export function runIdOf(out: string): string | undefined {
  return /^run (r\S+) on /m.exec(out)?.[1];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
