import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { Reply } from '../../src/contract/errors.js';
import { PendingEndpoint, type RpcEndpoint, type ServeHandle, startServer } from '../../main/node/serve/index.js';
import { type RawAnswer, type Served, envelope, raw, serve, until } from './harness.js';

/**
 * `ferry console` listens and prints its address before its services are loaded: calls and
 * subscriptions that arrive meanwhile wait in a PendingEndpoint, then reach the handler table
 * once it is attached, or get the reason it never will be.
 */

/** A table that records what reaches it and answers with the procedure's name. */
function recordingTable(): RpcEndpoint & { readonly calls: string[]; readonly listeners: Map<string, (reply: Reply<unknown>) => void>; readonly ended: string[] } {
  const calls: string[] = [];
  const listeners = new Map<string, (reply: Reply<unknown>) => void>();
  const ended: string[] = [];
  return {
    calls,
    listeners,
    ended,
    invoke: (name) => {
      calls.push(name);
      return Promise.resolve({ ok: true, value: { answeredBy: name } });
    },
    subscribe: (name, _input, listener) => {
      calls.push(`subscribe ${name}`);
      listeners.set(name, listener);
      return () => ended.push(name);
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('PendingEndpoint', () => {
  it('holds calls until the table is attached, then answers each from it', async () => {
    const pending = new PendingEndpoint();
    const table = recordingTable();
    let answered: Reply<unknown> | undefined;
    const call = pending.invoke('cluster:list', {}).then((reply) => (answered = reply));
    await tick();
    expect(answered).toBeUndefined();
    expect(table.calls).toEqual([]);
    pending.attach(table);
    await call;
    expect(answered).toEqual({ ok: true, value: { answeredBy: 'cluster:list' } });
    // later calls go straight through
    expect(await pending.invoke('cluster:snapshot', {})).toEqual({ ok: true, value: { answeredBy: 'cluster:snapshot' } });
    expect(table.calls).toEqual(['cluster:list', 'cluster:snapshot']);
  });

  it('starts waiting subscriptions on attach, never one ended before, and ends them through the table', () => {
    const pending = new PendingEndpoint();
    const table = recordingTable();
    const received: Reply<unknown>[] = [];
    const endRun = pending.subscribe('run:changed', {}, (r) => received.push(r));
    const endCluster = pending.subscribe('cluster:changed', {}, (r) => received.push(r));
    endCluster();
    pending.attach(table);
    expect(table.calls).toEqual(['subscribe run:changed']);
    table.listeners.get('run:changed')?.({ ok: true, value: 'an event' });
    expect(received).toEqual([{ ok: true, value: 'an event' }]);
    endRun();
    expect(table.ended).toEqual(['run:changed']);
  });

  it('answers waiting and later calls and subscriptions with the failure, as unavailable', async () => {
    const pending = new PendingEndpoint();
    const call = pending.invoke('cluster:list', {});
    const early: Reply<unknown>[] = [];
    pending.subscribe('run:changed', {}, (r) => early.push(r));
    pending.fail('cannot use the data directory: /nowhere is read-only');
    const refusal = { ok: false, error: { code: 'unavailable', message: 'cannot use the data directory: /nowhere is read-only' } };
    expect(await call).toEqual(refusal);
    expect(early).toEqual([refusal]);
    expect(await pending.invoke('run:list', {})).toEqual(refusal);
    const late: Reply<unknown>[] = [];
    pending.subscribe('run:changed', {}, (r) => late.push(r));
    expect(late).toEqual([refusal]);
  });

  it('tells when a call or subscription has to wait, and not once the table is there', async () => {
    let waiting = 0;
    const pending = new PendingEndpoint(() => waiting++);
    const call = pending.invoke('cluster:list', {});
    pending.subscribe('run:changed', {}, () => {});
    expect(waiting).toBe(2);
    pending.attach(recordingTable());
    await call;
    await pending.invoke('cluster:list', {});
    pending.subscribe('run:changed', {}, () => {});
    expect(waiting).toBe(2);
  });

  it('settles once', () => {
    const pending = new PendingEndpoint();
    pending.attach(recordingTable());
    expect(() => pending.attach(recordingTable())).toThrow(/settled already/);
    expect(() => pending.fail('late')).toThrow(/settled already/);
  });
});

describe('the server over a table still loading', () => {
  let served: Served;
  let pending: PendingEndpoint;
  let server: ServeHandle;

  beforeEach(async () => {
    served = await serve();
    pending = new PendingEndpoint();
    server = await startServer({ rpc: pending, rendererDir: served.rendererDir, onError: () => {} });
  });

  afterEach(async () => {
    await server.close();
    await served.close();
  });

  const post = (name: string, input: unknown): Promise<RawAnswer> =>
    raw(server.port, { method: 'POST', path: `/rpc/ferry:${name}`, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` }, body: JSON.stringify(input) });

  it('serves the page at once, and answers a call made before the services were there once they are', async () => {
    const page = await raw(server.port, { path: `/?token=${server.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    let answer: RawAnswer | undefined;
    const call = post('cluster:list', {}).then((a) => (answer = a));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answer).toBeUndefined();
    expect(served.reached).toEqual([]);
    pending.attach(served.endpoint);
    await call;
    expect(answer?.status).toBe(200);
    expect(envelope(answer as RawAnswer)).toMatchObject({ ok: true, value: { clusters: [{ clusterId: 'demo' }] } });
    expect(served.reached).toEqual(['cluster:list']);
  });

  it('keeps a WebSocket subscription made before the services were there, and passes it to them', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    const frames: unknown[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      // an input the contract refuses: the table's answer proves the frame reached it
      ws.send(JSON.stringify({ type: 'subscribe', id: 's1', name: 'run:changed', input: { runId: 7 } }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(frames).toEqual([]);
      pending.attach(served.endpoint);
      await until(() => frames.length > 0, 5_000, () => 'no frame after the table was attached');
      expect(served.reached).toEqual(['run:changed']);
      expect(frames[0]).toMatchObject({ type: 'event', id: 's1', reply: { ok: false, error: { code: 'invalid-request' } } });
    } finally {
      ws.close();
    }
  });

  it('answers with why the services could not start, status 200 and an unavailable envelope, never a stack', async () => {
    const call = post('cluster:list', {});
    pending.fail('cannot use the data directory: EACCES (set FERRY_HOME to a writable directory)');
    const answer = await call;
    expect(answer.status).toBe(200);
    expect(envelope(answer)).toEqual({ ok: false, error: { code: 'unavailable', message: 'cannot use the data directory: EACCES (set FERRY_HOME to a writable directory)' } });
    expect(answer.body).not.toMatch(/\n\s+at /);
  });
});
