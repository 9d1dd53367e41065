import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Reply } from '../../src/contract/errors.js';
import type { ClusterChangedEvent } from '../../src/contract/events.js';
import { createLocalClient } from '../../renderer/api/local.js';
import { type Served, serve, until } from './harness.js';

/** The in-process client of component tests, over the real handler table: the same envelopes as the wire. */

let served: Served;

beforeEach(async () => {
  served = await serve();
});

afterEach(async () => {
  await served.close();
});

describe('the local client', () => {
  it('calls and subscribes through the handler table, with what JSON carries', async () => {
    const client = createLocalClient(served.rpc);
    const listed = await client.invoke('cluster:list', {});
    expect(listed.ok && listed.value.clusters.map((c) => c.clusterId)).toEqual(['demo']);

    const events: Reply<ClusterChangedEvent>[] = [];
    const stop = client.subscribe('cluster:changed', {}, (r) => events.push(r));
    expect((await client.invoke('cluster:refresh', { clusterId: 'demo' })).ok).toBe(true);
    await until(() => events.length > 0, 5_000, () => 'an event');
    expect(events[0]).toMatchObject({ ok: true, value: { clusterId: 'demo' } });
    stop();

    const refused = await client.invoke('cluster:snapshot', { clusterId: 'nosuch' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('answers an input JSON cannot carry with an envelope, never a throw', async () => {
    const client = createLocalClient(served.rpc);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(await client.invoke('cluster:list', cyclic as never)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const replies: Reply<unknown>[] = [];
    client.subscribe('run:changed', cyclic as never, (r) => replies.push(r));
    await until(() => replies.length === 1, 1_000, () => 'the refusal');
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
