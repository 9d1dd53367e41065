import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

import SSHConfig from 'ssh-config';
import { afterAll, describe, expect, it } from 'vitest';

import { ClusterConfigError, DEFAULTS, parseClusterConfig } from '../../main/node/libvirt/config.js';
import { KnownHosts, fingerprint, hostEntryName, trustHostKey } from '../../main/node/libvirt/known-hosts.js';
import { fillTemplate, shellQuote, virshCommand } from '../../main/node/libvirt/shell.js';
import { resolveTarget } from '../../main/node/libvirt/ssh-target.js';
import { keyPair } from './fake-host.js';

const FILE = '/etc/ferry/lab.yaml';
const dir = mkdtempSync(path.join(tmpdir(), 'ferry-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(text: string): string {
  try {
    parseClusterConfig(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ClusterConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ClusterConfigError');
}

describe('cluster file', () => {
  it('fills defaults, resolves paths against the file, lets hosts override the cluster', () => {
    const config = parseClusterConfig(
      [
        'user: ops',
        'identityFile: keys/id_ed25519',
        'cpuOvercommit: 3',
        'power:',
        '  on: "ipmitool -H {bmc} -U admin -E chassis power on"',
        '  off: { ssh: "poweroff" }',
        'hosts:',
        '  - name: hv1',
        '    address: 10.0.0.1',
        '    rack: r1',
        '    vars: { bmc: 10.1.0.1 }',
        '  - name: hv2',
        '    port: 2222',
        '    cpuOvercommit: 1.5',
        '    knownHosts: ~/.ssh/lab_known_hosts',
      ].join('\n'),
      FILE,
    );
    expect(config.name).toBe('lab');
    expect(config.concurrency).toBe(DEFAULTS.concurrency);
    const [hv1, hv2] = config.hosts;
    expect(hv1).toMatchObject({ name: 'hv1', address: '10.0.0.1', user: 'ops', identityFile: '/etc/ferry/keys/id_ed25519', rack: 'r1', cpuOvercommit: 3, memoryOvercommit: 1, connectTimeoutMs: 10_000, libvirtUri: 'qemu:///system' });
    expect(hv1?.power).toEqual({ on: { where: 'local', template: 'ipmitool -H {bmc} -U admin -E chassis power on' }, off: { where: 'ssh', template: 'poweroff' } });
    expect(hv2).toMatchObject({ address: 'hv2', port: 2222, cpuOvercommit: 1.5, knownHosts: path.join(homedir(), '.ssh/lab_known_hosts') });
  });

  it('locates every mistake as file:line:col', () => {
    expect(configError('hosts:\n  - name: hv1\n    prot: 22\n')).toBe(`${FILE}:2:5: hosts.0: Unrecognized key(s) in object: 'prot'`);
    expect(configError('hosts:\n  - name: hv1\n  - name: hv1\n')).toBe(`${FILE}:3:11: host hv1 is listed twice (first as hosts.0)`);
    expect(configError('hosts:\n  - name: hv1\ncpuOvercommit: -2\n')).toBe(`${FILE}:3:16: cpuOvercommit: Number must be greater than 0`);
    expect(configError('hosts: [\n')).toMatch(new RegExp(`^${FILE}:\\d+:\\d+: `));
    expect(configError('name: x\n')).toBe(`${FILE}:1:1: hosts: Required`);
    expect(configError('hosts:\n  - name: "a b"\n')).toMatch(/:2:11: hosts.0.name: a host name is letters/);
    expect(configError('hosts: []\n')).toMatch(/:1:8: hosts: Array must contain at least 1/);
    expect(configError('hosts:\n  - name: hv1\n    power: { on: { serial: x } }\n')).toMatch(/:3:\d+: hosts.0.power.on/);
  });
});

describe('shell quoting', () => {
  it('quotes untrusted names so a shell reads one argument', () => {
    expect(shellQuote('vm1')).toBe('vm1');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('-rf')).toBe('-rf');
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(virshCommand('qemu:///system', ['dominfo', '--domain', 'a b;c'])).toBe("LC_ALL=C virsh -c qemu:///system dominfo --domain 'a b;c'");
  });
  it('fills templates with quoted values and refuses unknown placeholders', () => {
    expect(fillTemplate('wakeonlan {mac}', { mac: '02:00:00:00:00:01' })).toBe('wakeonlan 02:00:00:00:00:01');
    expect(fillTemplate('ipmitool -H {bmc}', { bmc: 'x; reboot' })).toBe("ipmitool -H 'x; reboot'");
    expect(() => fillTemplate('x {nope}', {})).toThrow(/uses \{nope\}/);
  });
});

describe('known_hosts', () => {
  const key = keyPair();
  const other = keyPair();
  const b64 = key.blob.toString('base64');

  function hashed(name: string): string {
    const salt = randomBytes(20);
    return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }

  it('matches plain, hashed, wildcard and [host]:port entries', () => {
    const file = path.join(dir, 'kh1');
    writeFileSync(file, [`# comment`, `hv1,10.0.0.1 ssh-ed25519 ${b64}`, `${hashed('[10.0.0.2]:2222')} ssh-ed25519 ${b64}`, `*.lab,!bad.lab ssh-ed25519 ${b64}`, 'garbage line', ''].join('\n'));
    const kh = KnownHosts.load(file);
    expect(kh.verify('hv1', key.blob)).toEqual({ status: 'known' });
    expect(kh.verify('10.0.0.1', key.blob)).toEqual({ status: 'known' });
    expect(kh.verify(hostEntryName('10.0.0.2', 2222), key.blob)).toEqual({ status: 'known' });
    expect(kh.verify('10.0.0.2', key.blob).status).toBe('unknown');
    expect(kh.verify('x.lab', key.blob)).toEqual({ status: 'known' });
    expect(kh.verify('bad.lab', key.blob)).toEqual({ status: 'unknown', fingerprint: key.fingerprint, keyType: 'ssh-ed25519' });
    const changed = kh.verify('hv1', other.blob);
    expect(changed).toMatchObject({ status: 'changed', fingerprint: other.fingerprint, expected: [key.fingerprint], line: 2 });
  });

  it('refuses a revoked key even where it is listed', () => {
    const file = path.join(dir, 'kh2');
    writeFileSync(file, `hv1 ssh-ed25519 ${b64}\n@revoked * ssh-ed25519 ${b64}\n`);
    expect(KnownHosts.load(file).verify('hv1', key.blob)).toMatchObject({ status: 'revoked', line: 2 });
  });

  it('trusting appends one line (creating the file privately) that then matches', () => {
    const file = path.join(dir, 'sub', 'known_hosts');
    trustHostKey(file, '[10.0.0.3]:22022', key.blob);
    expect(readFileSync(file, 'utf8')).toBe(`[10.0.0.3]:22022 ssh-ed25519 ${b64}\n`);
    expect(KnownHosts.load(file).verify('[10.0.0.3]:22022', key.blob)).toEqual({ status: 'known' });
    expect(fingerprint(key.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('~/.ssh/config', () => {
  const sshConfig = SSHConfig.parse(
    [
      'Host hv-*',
      '  User admin',
      '  IdentityFile ~/.ssh/lab_key',
      'Host hv-a',
      '  HostName 10.0.0.11',
      '  Port 2201',
      '  ProxyJump jump@bastion:2022',
      'Host bastion',
      '  HostName 192.0.2.1',
      '  UserKnownHostsFile ~/.ssh/bastion_known',
    ].join('\n'),
  );
  const host = parseClusterConfig('hosts:\n  - name: a\n    address: hv-a\n  - name: b\n    address: hv-b\n    user: root\n    port: 22\n', FILE).hosts;

  it('honours aliases, HostName, User, Port, IdentityFile and ProxyJump', () => {
    const a = resolveTarget(host[0] as never, sshConfig);
    expect(a).toMatchObject({ label: 'a', host: '10.0.0.11', port: 2201, user: 'admin', identityFiles: [path.join(homedir(), '.ssh/lab_key')] });
    expect(a.jumps).toHaveLength(1);
    expect(a.jumps[0]).toMatchObject({ host: '192.0.2.1', port: 2022, user: 'jump' });
  });

  it("lets the cluster file's explicit values win", () => {
    const b = resolveTarget(host[1] as never, sshConfig);
    expect(b).toMatchObject({ host: 'hv-b', port: 22, user: 'root', jumps: [] });
  });
});
