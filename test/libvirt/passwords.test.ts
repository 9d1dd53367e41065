import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { Journal } from '../../main/node/journal/journal.js';
import { type Terminal, terminalPasswordPrompt } from '../../main/node/libvirt/tty-password.js';
import { type RpcServer, createHandlers } from '../../main/rpc/index.js';
import { ClusterService } from '../../main/services/cluster.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';
import { FakeCluster } from './fake-cluster.js';
import { keyPair } from './fake-host.js';

/** Password logins (`askPassword: true`): asked once per user@host, by the terminal or the console, never shown again. */

const PASSWORD = 'corr3ct-h0rse';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A cluster whose hosts take only PASSWORD (the key in the file is not theirs), with askPassword on line 2 (its value at column 14). */
async function passwordCluster(via: 'password' | 'keyboard-interactive' = 'password'): Promise<{ fake: FakeCluster; file: string; home: string }> {
  const fake = await FakeCluster.start([], keyPair(), PASSWORD);
  fake.passwordVia = via;
  await fake.addHost({ name: 'hv1', domains: [{ name: 'vm1', state: 'running', vcpus: 1, memKiB: 65536 }] });
  await fake.addHost({ name: 'hv2' });
  const file = fake.writeConfig();
  writeFileSync(join(fake.dir, 'id_ed25519'), keyPair().privateKey, { mode: 0o600 });
  writeFileSync(file, readFileSync(file, 'utf8').replace('name: fake\n', 'name: fake\naskPassword: true\n'));
  const home = mkdtempSync(join(tmpdir(), 'ferry-passwords-'));
  cleanup.push(() => fake.close(), () => rmSync(home, { recursive: true, force: true }));
  return { fake, file, home };
}

/** A terminal made of two pipes: what ferry wrote to it, and keys typed when it asks. */
function scriptedTerminal(answers: string[]): { open: () => Terminal; written: () => string; opened: () => number } {
  let out = '';
  let opened = 0;
  return {
    opened: () => opened,
    written: () => out,
    open: () => {
      opened++;
      const input = new PassThrough();
      const output = new PassThrough();
      output.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        // the question is out: the operator types (one keystroke at a time, with a correction)
        if (c.toString('utf8').startsWith('Password for')) {
          const answer = answers.shift() ?? '';
          for (const ch of `${answer}x\u007f\r`) input.write(ch);
        }
      });
      return { input, output, close: () => undefined };
    },
  };
}

describe('password logins from the command line', () => {
  it('asks on the terminal once per user@host, without echo, and logs in', async () => {
    const { fake, file, home } = await passwordCluster();
    const terminal = scriptedTerminal([PASSWORD, PASSWORD]);
    const clusters = new ClusterService(home, { askPassword: terminalPasswordPrompt(terminal.open), agentSocket: '' });
    const id = `libvirt:${file}`;
    const first = await clusters.snapshot(id);
    expect(first.hosts.map((h) => [h.name, h.reachable])).toEqual([
      ['hv1', true],
      ['hv2', true],
    ]);
    // a second read (new connections) asks nobody: known for this process's life
    const second = await clusters.snapshot(id);
    expect(second.hosts.every((h) => h.reachable)).toBe(true);
    expect(terminal.opened()).toBe(2);
    expect(terminal.written()).toContain(`Password for root@127.0.0.1 (hv1): `);
    expect(terminal.written()).toContain(`Password for root@127.0.0.1 (hv2): `);
    // nothing typed is echoed
    expect(terminal.written()).not.toContain(PASSWORD);
    // asked once, offered at each login (one per read)
    expect(fake.hv('hv1').host.passwordsTried).toEqual([PASSWORD, PASSWORD]);
  });

  it('the time the operator takes to type does not count against the connect timeout (2 s here)', async () => {
    const { file, home } = await passwordCluster();
    const slowTypist = (): Promise<string> => new Promise((resolve) => setTimeout(() => resolve(PASSWORD), 2600));
    const clusters = new ClusterService(home, { askPassword: slowTypist, agentSocket: '' });
    const snap = await clusters.snapshot(`libvirt:${file}`);
    expect(snap.hosts.map((h) => [h.name, h.reachable, h.error ?? ''])).toEqual([
      ['hv1', true, ''],
      ['hv2', true, ''],
    ]);
  });

  it('a refused password is forgotten: the next login asks again, and no message repeats it', async () => {
    const { fake, file, home } = await passwordCluster();
    const terminal = scriptedTerminal(['wrong-guess', 'wrong-guess', PASSWORD, PASSWORD]);
    const clusters = new ClusterService(home, { askPassword: terminalPasswordPrompt(terminal.open), agentSocket: '' });
    const refused = await clusters.snapshot(`libvirt:${file}`);
    expect(refused.hosts[0]).toMatchObject({ reachable: false, error: 'hv1: login as root refused (tried 1 key file(s), a password)' });
    expect(JSON.stringify(refused.hosts)).not.toContain('wrong-guess');
    const accepted = await clusters.snapshot(`libvirt:${file}`);
    expect(accepted.hosts.every((h) => h.reachable)).toBe(true);
    expect(terminal.opened()).toBe(4);
    expect(fake.hv('hv1').host.passwordsTried).toEqual(['wrong-guess', PASSWORD]);
  });

  it("answers PAM's keyboard-interactive prompt with the same password (hosts with PasswordAuthentication no)", async () => {
    const { fake, file, home } = await passwordCluster('keyboard-interactive');
    const terminal = scriptedTerminal([PASSWORD, PASSWORD]);
    const clusters = new ClusterService(home, { askPassword: terminalPasswordPrompt(terminal.open), agentSocket: '' });
    const snap = await clusters.snapshot(`libvirt:${file}`);
    expect(snap.hosts.every((h) => h.reachable)).toBe(true);
    expect(fake.hv('hv1').host.passwordsTried).toEqual([PASSWORD]);
  });

  it('with no terminal, fails at once with an error located where the file asks for a password', async () => {
    const { fake, file, home } = await passwordCluster();
    const clusters = new ClusterService(home, { askPassword: terminalPasswordPrompt(() => null), agentSocket: '' });
    const snap = await clusters.snapshot(`libvirt:${file}`);
    expect(snap.hosts[0]?.reachable).toBe(false);
    expect(snap.hosts[0]?.error).toBe(`${file}:2:14: hv1 asks for a password for root@127.0.0.1 (askPassword: true), and there is no terminal to ask on: run ferry from a terminal, or log in with a key file or the SSH agent`);
    expect(fake.hv('hv1').host.passwordsTried).toEqual([]);
  });
});

describe('password logins from the console', () => {
  let server: RpcServer | undefined;
  let journal: Journal | undefined;
  afterEach(() => {
    server?.close();
    journal?.close();
    server = undefined;
    journal = undefined;
  });

  function console_(home: string): RpcServer {
    journal = Journal.open(join(home, 'journal.sqlite'));
    // the CLI's terminal prompt is what openServices installs: the console must replace it
    const clusters = new ClusterService(home, { askPassword: () => Promise.reject(new Error('the terminal was asked')), agentSocket: '' });
    const planning = new PlanningService({ pickRunner: null });
    const runs = new RunService({ home, journal, clusters, planning, clock: { now: () => Date.now() }, actor: 'alice@ws1' });
    server = createHandlers({ home, journal, clusters, planning, runs, actor: 'alice@ws1' }, { checkOutputs: true });
    return server;
  }

  it('asks the console (cluster:password-needed), takes the answer once, and never sends it back', async () => {
    const { fake, file, home } = await passwordCluster();
    const rpc = console_(home);
    const events: unknown[] = [];
    const replies: unknown[] = [];
    rpc.subscribe('cluster:password-needed', {}, (reply) => {
      events.push(reply);
      if (!reply.ok) return;
      void rpc.invoke('cluster:password', { promptId: reply.value.promptId, password: PASSWORD }).then((r) => replies.push(r));
    });
    const subscribedToAll: unknown[] = [];
    rpc.subscribe('cluster:changed', {}, (e) => subscribedToAll.push(e));
    const snap = await rpc.invoke('cluster:refresh', { clusterId: `libvirt:${file}` });
    expect(snap.ok && snap.value.hosts.map((h) => h.reachable)).toEqual([true, true]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ ok: true, value: { user: 'root', host: '127.0.0.1' } });
    expect(replies).toEqual([expect.objectContaining({ ok: true, value: expect.objectContaining({ accepted: true }) }), expect.objectContaining({ ok: true })]);
    // the password travels one way only: in no event, no reply, no read
    expect(JSON.stringify([events, replies, snap, subscribedToAll])).not.toContain(PASSWORD);
    expect(fake.hv('hv2').host.passwordsTried).toEqual([PASSWORD]);
    // an answer to a question nobody asks is refused
    expect(await rpc.invoke('cluster:password', { promptId: 'p-unknown', password: 'x' })).toEqual({ ok: true, value: { promptId: 'p-unknown', accepted: false } });
    // nothing of it reached the data directory either (journal, cluster list, power state)
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(home, { recursive: true }) as string[]) {
      const path = join(home, f);
      try {
        expect(readFileSync(path).includes(Buffer.from(PASSWORD))).toBe(false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
      }
    }
  });

  it('declined in the console: the host is reported refused, and nothing is retried unasked', async () => {
    const { fake, file, home } = await passwordCluster();
    const rpc = console_(home);
    rpc.subscribe('cluster:password-needed', {}, (reply) => {
      if (reply.ok) void rpc.invoke('cluster:password', { promptId: reply.value.promptId, password: null });
    });
    const snap = await rpc.invoke('cluster:refresh', { clusterId: `libvirt:${file}` });
    expect(snap.ok && snap.value.hosts[0]).toMatchObject({ reachable: false, error: 'hv1: login as root refused (tried 1 key file(s), no password (none was given))' });
    expect(fake.hv('hv1').host.passwordsTried).toEqual([]);
  });

  it('with no console listening, says so where the file asks for a password', async () => {
    const { file, home } = await passwordCluster();
    const rpc = console_(home);
    const snap = await rpc.invoke('cluster:refresh', { clusterId: `libvirt:${file}` });
    expect(snap.ok && snap.value.hosts[0]?.error).toBe(`${file}:2:14: hv1 asks for a password for root@127.0.0.1 (askPassword: true), and no console is open to ask for it`);
  });
});
