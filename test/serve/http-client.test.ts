import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { Reply } from '../../src/contract/errors.js';
import type { ClusterChangedEvent } from '../../src/contract/events.js';
import { startServer } from '../../main/node/serve/index.js';
import { type HttpClient, type SocketConstructor, createHttpClient } from '../../renderer/api/http.js';
import { type Served, serve, until } from './harness.js';

/**
 * The renderer's HTTP client (renderer/api/http.ts) against the real server under Node 20: global
 * fetch, and `ws` for the WebSocket Node 20 lacks. Failures are envelopes, never throws; after the
 * server comes back the subscriptions are sent again.
 */

// ws's handler properties name its own event classes where the client only reads `data`: the same
// object at run time, a different declaration for the compiler
const Socket = WebSocket as unknown as SocketConstructor;

let served: Served;
let client: HttpClient | undefined;

beforeEach(async () => {
  served = await serve();
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await served.close();
});

function connect(token = served.server.token, baseUrl = served.server.origin): HttpClient {
  client = createHttpClient({ baseUrl, token, WebSocket: Socket, retryMs: 50, maxRetryMs: 200 });
  return client;
}

describe('the HTTP client', () => {
  it('calls a query and gets the typed value', async () => {
    const reply = await connect().invoke('cluster:list', {});
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(reply.value.clusters.map((c) => c.clusterId)).toEqual(['demo']);
  });

  it('answers a refusal as an envelope: a wrong token, an input the contract refuses, no server at all', async () => {
    const wrong = await connect('not-the-token').invoke('cluster:list', {});
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    client?.close();

    const malformed = await connect().invoke('cluster:snapshot', { clusterId: 7 } as never);
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid-request', path: '$.input.clusterId' } });
    client?.close();

    const port = served.server.port;
    await served.server.close();
    const gone = await connect(served.server.token, `http://127.0.0.1:${port}`).invoke('cluster:list', {});
    expect(gone).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(served.reached).toEqual(['cluster:snapshot']);
  });

  it('delivers events of a subscription, and none after its end', async () => {
    const events: Reply<ClusterChangedEvent>[] = [];
    const stop = connect().subscribe('cluster:changed', { clusterId: 'demo' }, (reply) => events.push(reply));
    await until(() => served.reached.includes('cluster:changed'), 5_000, () => 'subscribed');
    expect((await client!.invoke('cluster:refresh', { clusterId: 'demo' })).ok).toBe(true);
    await until(() => events.length >= 1, 5_000, () => `${events.length} events`);
    expect(events[0]).toMatchObject({ ok: true, value: { clusterId: 'demo' } });

    stop();
    const seen = events.length;
    await new Promise((r) => setTimeout(r, 100));
    expect((await client!.invoke('cluster:refresh', { clusterId: 'demo' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(seen);
  });

  it('tells the listener when the connection is lost, reconnects, and subscribes again', async () => {
    const events: Reply<ClusterChangedEvent>[] = [];
    connect().subscribe('cluster:changed', {}, (reply) => events.push(reply));
    await until(() => served.reached.filter((n) => n === 'cluster:changed').length === 1, 5_000, () => 'subscribed');

    // the server goes away and comes back on the same port, with the same token
    const { port, token } = served.server;
    await served.server.close();
    await until(() => events.some((e) => !e.ok && e.error.code === 'unavailable'), 5_000, () => JSON.stringify(events));
    await new Promise((r) => setTimeout(r, 500)); // several retries fail meanwhile: the listener hears of the outage once
    expect(events).toMatchObject([{ ok: false, error: { code: 'unavailable' } }]);
    served.server = await startServer({ rpc: served.endpoint, rendererDir: served.rendererDir, port, token });
    await until(() => served.reached.filter((n) => n === 'cluster:changed').length === 2, 5_000, () => 'subscribed again');

    expect((await client!.invoke('cluster:refresh', { clusterId: 'demo' })).ok).toBe(true);
    await until(() => events.some((e) => e.ok), 5_000, () => JSON.stringify(events));
  });

  it('forgets a subscription the server refused (one error, no retry)', async () => {
    const replies: Reply<unknown>[] = [];
    connect().subscribe('run:step', { runId: 7 } as never, (reply) => replies.push(reply));
    await until(() => replies.length === 1, 5_000, () => 'the refusal');
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'invalid-request', path: '$.input.runId' } });
  });
});
