import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Reply } from '../../src/contract/errors.js';
import { PROCEDURES, PROCEDURE_NAMES } from '../../src/contract/procedures.js';
import { EVENT_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../../main/electron/channels.js';
import { isAllowedExternal, isAppUrl, isTrustedSender } from '../../main/electron/policy.js';
import { type IpcRendererLike, createBridge } from '../../main/electron/preload-api.js';
import type { FerryBridge } from '../../renderer/api/ferry-bridge.js';

/**
 * The preload's `window.ferry` over a fake ipcRenderer (the boundary with Electron): names are
 * checked against the contract before anything is sent, subscriptions are routed by id. And the
 * shell's policy: which addresses are the app's, which links open, which senders are served.
 */

class FakeIpc implements IpcRendererLike {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  private readonly listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null });

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.sent.push({ channel, args });
    try {
      return Promise.resolve(this.answer(channel, args));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }

  emit(channel: string, message: unknown): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({}, message);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the preload bridge', () => {
  it('sends a known query on its ferry: channel and returns main’s envelope', async () => {
    const ipc = new FakeIpc();
    // what the preload exposes is what the renderer's ambient type of window.ferry declares (checked by tsc)
    const exposed: FerryBridge = createBridge(ipc);
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'subscribe']);
    ipc.answer = () => ({ ok: true, value: { clusters: [] } });
    const reply = await createBridge(ipc).invoke('cluster:list', {});
    expect(reply).toEqual({ ok: true, value: { clusters: [] } });
    expect(ipc.sent).toEqual([{ channel: 'ferry:cluster:list', args: [{}] }]);
  });

  it('refuses unknown names, subscriptions called, and queries subscribed, sending nothing', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    expect(await bridge.invoke('shell:exec', {})).toMatchObject({ ok: false, error: { code: 'invalid-request', path: '$.name' } });
    expect(await bridge.invoke('../../etc', {})).toMatchObject({ ok: false });
    expect(await bridge.invoke('__proto__', {})).toMatchObject({ ok: false });
    expect(await bridge.invoke('run:changed', {})).toMatchObject({ ok: false, error: { message: '$.name: run:changed is a subscription: subscribe to it' } });
    const replies: Reply<unknown>[] = [];
    bridge.subscribe('run:event', {}, (r) => replies.push(r));
    bridge.subscribe('nope', {}, (r) => replies.push(r));
    await tick();
    expect(replies).toHaveLength(2);
    expect(replies.every((r) => !r.ok && r.error.code === 'invalid-request')).toBe(true);
    expect(ipc.sent).toEqual([]);
  });

  it('accepts every procedure of the contract for its kind', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    for (const name of PROCEDURE_NAMES) {
      if (PROCEDURES[name].kind === 'subscription') bridge.subscribe(name, {}, () => {});
      else await bridge.invoke(name, {});
    }
    await tick();
    expect(ipc.sent.map((s) => s.channel)).toEqual(PROCEDURE_NAMES.map((n) => `ferry:${n}`));
  });

  it('routes events by subscription id, and ends one on unsubscribe', async () => {
    const ipc = new FakeIpc();
    const bridge = createBridge(ipc);
    const a: Reply<unknown>[] = [];
    const b: Reply<unknown>[] = [];
    const stopA = bridge.subscribe('run:changed', {}, (r) => a.push(r));
    bridge.subscribe('cluster:changed', { clusterId: 'demo' }, (r) => b.push(r));
    const [first, second] = ipc.sent.map((s) => s.args[0] as { id: string; input: unknown });
    expect(second?.input).toEqual({ clusterId: 'demo' });
    ipc.emit(EVENT_CHANNEL, { id: first?.id, reply: { ok: true, value: 'for a' } });
    ipc.emit(EVENT_CHANNEL, { id: second?.id, reply: { ok: true, value: 'for b' } });
    ipc.emit(EVENT_CHANNEL, { id: 'forged', reply: { ok: true, value: 'for nobody' } });
    ipc.emit(EVENT_CHANNEL, { id: first?.id, reply: '<not an envelope>' });
    expect(a).toEqual([{ ok: true, value: 'for a' }]);
    expect(b).toEqual([{ ok: true, value: 'for b' }]);

    stopA();
    stopA();
    expect(ipc.sent.filter((s) => s.channel === UNSUBSCRIBE_CHANNEL)).toEqual([{ channel: UNSUBSCRIBE_CHANNEL, args: [first?.id] }]);
    ipc.emit(EVENT_CHANNEL, { id: first?.id, reply: { ok: true, value: 'late' } });
    expect(a).toHaveLength(1);
  });

  it('turns a main process that fails or answers garbage into envelopes', async () => {
    const ipc = new FakeIpc();
    ipc.answer = () => {
      throw new Error('no handler');
    };
    expect(await createBridge(ipc).invoke('cluster:list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    ipc.answer = () => 'garbage';
    expect(await createBridge(ipc).invoke('cluster:list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    const replies: Reply<unknown>[] = [];
    ipc.answer = () => ({ ok: false, error: { code: 'invalid-request', message: 'refused: this message does not come from the console window' } });
    createBridge(ipc).subscribe('run:changed', {}, (r) => replies.push(r));
    await tick();
    expect(replies).toMatchObject([{ ok: false, error: { code: 'invalid-request' } }]);
  });
});

describe('the shell policy', () => {
  it('knows the app’s pages by parsing, not by prefix', () => {
    expect(isAppUrl('app://ferry/index.html')).toBe(true);
    expect(isAppUrl('app://ferry/#/plan')).toBe(true);
    expect(isAppUrl('app://ferry.evil.example/index.html')).toBe(false);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://ferry/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('opens only https links to the allowlist', () => {
    expect(isAllowedExternal('https://github.com/btrplace/scheduler')).toBe(true);
    expect(isAllowedExternal('http://github.com/')).toBe(false);
    expect(isAllowedExternal('https://github.com.evil.example/')).toBe(false);
    expect(isAllowedExternal('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('javascript:alert(1)')).toBe(false);
  });

  it('serves IPC only to the app window’s main frame showing an app page', () => {
    const windows = new Set([3]);
    expect(isTrustedSender({ senderId: 3, isMainFrame: true, frameUrl: 'app://ferry/index.html' }, windows)).toBe(true);
    expect(isTrustedSender({ senderId: 4, isMainFrame: true, frameUrl: 'app://ferry/index.html' }, windows)).toBe(false);
    expect(isTrustedSender({ senderId: 3, isMainFrame: false, frameUrl: 'app://ferry/index.html' }, windows)).toBe(false);
    expect(isTrustedSender({ senderId: 3, isMainFrame: true, frameUrl: 'https://evil.example/' }, windows)).toBe(false);
    expect(isTrustedSender({ senderId: 3, isMainFrame: true, frameUrl: undefined }, windows)).toBe(false);
  });
});

describe('the preload bundle', () => {
  it('is one CommonJS file that requires nothing but electron (what a sandboxed preload may load)', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(import.meta.dirname, '..', '..', 'main', 'electron', 'preload.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect([...new Set(code.match(/require\(["'][^"']+["']\)/g))]).toEqual(['require("electron")']);
    expect(code).toContain('exposeInMainWorld("ferry"');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
  });
});
