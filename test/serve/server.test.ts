import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { Reply } from '../../src/contract/errors.js';
import { startServer } from '../../main/node/serve/index.js';
import { type Served, call, envelope, raw, serve, until } from './harness.js';

/**
 * Serve mode's server, for real: the token, Host and Origin guard every request and WebSocket
 * before any service; calls and subscriptions reach the handler table unchanged; the renderer's
 * files go out with the strict headers and the launch's style nonce.
 */

const SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'demo-maintenance.btrp'), 'utf8');

let served: Served;

beforeEach(async () => {
  served = await serve();
});

afterEach(async () => {
  await served.close();
});

function origin(): string {
  return served.server.origin;
}

describe('calls', () => {
  it('answers cluster:list with the demo cluster, given the token', async () => {
    const answer = await call(served, 'cluster:list', {});
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const reply = envelope(answer);
    expect(reply.ok).toBe(true);
    expect((reply as { value: { clusters: { clusterId: string }[] } }).value.clusters.map((c) => c.clusterId)).toEqual(['demo']);
    expect(served.reached).toEqual(['cluster:list']);
  });

  it('passes a refusal of the handler table on unchanged (status 200, the envelope says it)', async () => {
    const answer = await call(served, 'cluster:lst', {});
    expect(answer.status).toBe(200);
    expect(envelope(answer)).toMatchObject({ ok: false, error: { code: 'invalid-request', path: '$.name' } });
    expect((envelope(answer) as { error: { message: string } }).error.message).toContain('did you mean cluster:list?');
  });

  it('refuses a body that is not JSON with 400 and where it stops, before any service', async () => {
    const answer = await rawCall('{\n  "clusterId": "demo",\n  oops\n}');
    expect(answer.status).toBe(400);
    const reply = envelope(answer) as { ok: false; error: { code: string; message: string; path: string } };
    expect(reply.error).toMatchObject({ code: 'invalid-request', path: '$' });
    expect(reply.error.message).toMatch(/^\$: the body is not JSON \(.*line 3, column 3\)$/);
    expect(answer.body).not.toMatch(/\n\s+at /); // no stack trace
    expect(served.reached).toEqual([]);
  });

  it('refuses what is not a JSON call: another Content-Type (415), GET on /rpc (405), outside the namespace (404), too large (413)', async () => {
    const auth = { authorization: `Bearer ${served.server.token}` };
    const text = await raw(served.server.port, { method: 'POST', path: '/rpc/ferry:cluster:list', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
    const get = await raw(served.server.port, { path: '/rpc/ferry:cluster:list', headers: auth });
    expect(get.status).toBe(405);
    const foreign = await raw(served.server.port, { method: 'POST', path: '/rpc/cluster:list', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(foreign.status).toBe(404);
    expect(envelope(foreign)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const small = await startServer({ rpc: served.endpoint, rendererDir: served.rendererDir, maxBodyBytes: 1024 });
    try {
      const huge = await raw(small.port, { method: 'POST', path: '/rpc/ferry:cluster:list', headers: { authorization: `Bearer ${small.token}`, 'content-type': 'application/json' }, body: `{"x":"${'a'.repeat(2048)}"}` });
      expect(huge.status).toBe(413);
      expect((envelope(huge) as { error: { message: string } }).error.message).toBe('the body is larger than 1024 bytes');
    } finally {
      await small.close();
    }
    expect(served.reached).toEqual([]);
  });
});

async function rawCall(body: string) {
  return raw(served.server.port, { method: 'POST', path: '/rpc/ferry:cluster:snapshot', headers: { 'content-type': 'application/json', authorization: `Bearer ${served.server.token}` }, body });
}

describe('the guard', () => {
  it('refuses a call without the token, or with a wrong one (401), and no service is reached', async () => {
    const none = await call(served, 'cluster:list', {}, {});
    expect(none.status).toBe(401);
    expect(envelope(none)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const wrong = await call(served, 'cluster:list', {}, { authorization: `Bearer ${served.server.token.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect((envelope(wrong) as { error: { message: string } }).error.message).toContain('wrong token');
    const short = await call(served, 'cluster:list', {}, { authorization: 'Bearer x' });
    expect(short.status).toBe(401);
    expect(served.reached).toEqual([]);
  });

  it('refuses a foreign Origin or a Host that is not the loopback address (403), even with the token', async () => {
    const auth = `Bearer ${served.server.token}`;
    const fromElsewhere = await call(served, 'cluster:list', {}, { authorization: auth, origin: 'http://evil.example' });
    expect(fromElsewhere.status).toBe(403);
    const otherPort = await call(served, 'cluster:list', {}, { authorization: auth, origin: 'http://127.0.0.1:1' });
    expect(otherPort.status).toBe(403);
    const rebound = await call(served, 'cluster:list', {}, { authorization: auth, host: `evil.example:${served.server.port}` });
    expect(rebound.status).toBe(403);
    expect((envelope(rebound) as { error: { message: string } }).error.message).toContain('Host');
    const lan = await call(served, 'cluster:list', {}, { authorization: auth, host: `192.168.1.10:${served.server.port}` });
    expect(lan.status).toBe(403);
    expect(served.reached).toEqual([]);
    // our own origin is welcome
    const own = await call(served, 'cluster:list', {}, { authorization: auth, origin: origin() });
    expect(own.status).toBe(200);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from a foreign Origin', async () => {
    const port = served.server.port;
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=nope`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${served.server.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/elsewhere?token=${served.server.token}`)).toBe(404);
    // the page after a reload: no token in its address, the cookie of the first load
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events`, { cookie: `ferry_token_${port}=${served.server.token}`, origin: origin() })).toBe(101);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events`, { cookie: `ferry_token_1=${served.server.token}`, origin: origin() })).toBe(401); // another port's cookie
    expect(served.reached).toEqual([]);
  });
});

describe('subscriptions over /events', () => {
  it('delivers run:changed events of a run created and started through the calls', async () => {
    const ws = await openEvents();
    const frames: { type: string; id?: string; reply?: Reply<{ run: { runId: string; state: string } }> }[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's1', name: 'run:changed', input: {} }));
    await until(() => served.reached.includes('run:changed'), 5_000, () => 'the subscription reached the table');

    const computed = envelope(await call(served, 'plan:compute', { clusterId: 'demo', requestId: 'q1', script: { text: SCRIPT, name: 'demo-maintenance.btrp' }, options: { timeLimitS: 2, migrationTime: 'memory' } }));
    if (!computed.ok) throw new Error(computed.error.message);
    const { constraintHash } = computed.value as { constraintHash: string };
    const created = envelope(await call(served, 'run:create', { clusterId: 'demo', requestId: 'q1', constraintHash }));
    if (!created.ok) throw new Error(created.error.message);
    const { runId } = (created.value as { run: { runId: string } }).run;
    const started = envelope(await call(served, 'run:event', { runId, revision: 1, event: { type: 'start' } }));
    expect(started.ok).toBe(true);

    await until(() => frames.some((f) => f.reply?.ok === true && f.reply.value.run.state !== 'draft'), 10_000, () => JSON.stringify(frames.map((f) => f.type)));
    const events = frames.filter((f) => f.type === 'event');
    expect(events.every((f) => f.id === 's1' && f.reply?.ok === true && f.reply.value.run.runId === runId)).toBe(true);

    // unsubscribed: nothing more arrives
    ws.send(JSON.stringify({ type: 'unsubscribe', id: 's1' }));
    await new Promise((r) => setTimeout(r, 100));
    const before = frames.length;
    envelope(await call(served, 'run:event', { runId, revision: (started as { value: { run: { revision: number } } }).value.run.revision, event: { type: 'pause' } }));
    await new Promise((r) => setTimeout(r, 300));
    expect(frames.length).toBe(before);
    ws.close();
  });

  it('answers a frame it cannot use with a located error, and a refused subscription with one error envelope', async () => {
    const ws = await openEvents();
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'subscribe', id: 's1', name: 'run:changed', input: {}, extra: 1 }));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's2', name: 'cluster:list', input: {} }));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's3', name: 'run:step', input: { runId: 7 } }));
    await until(() => frames.length >= 4, 5_000, () => JSON.stringify(frames));
    expect(frames[0]).toMatchObject({ type: 'error', error: { code: 'invalid-request', path: '$' } });
    expect(frames[1]).toMatchObject({ type: 'error', error: { code: 'invalid-request', path: '$.extra' } });
    expect(frames).toContainEqual(expect.objectContaining({ type: 'event', id: 's2', reply: expect.objectContaining({ ok: false }) }));
    expect(frames).toContainEqual({ type: 'event', id: 's3', reply: { ok: false, error: expect.objectContaining({ code: 'invalid-request', path: '$.input.runId' }) } });
    ws.close();
  });
});

describe('the renderer', () => {
  it('serves index.html with the launch nonce, the strict headers and a cookie for reloads; the cookie alone then authorizes', async () => {
    const page = await raw(served.server.port, { path: `/?token=${served.server.token}` });
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    const nonce = /'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self' 'nonce-${nonce}'; connect-src 'self' ws://127.0.0.1:${served.server.port}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(`<meta name="ferry-style-nonce" content="${nonce}">`);
    expect(page.body).not.toContain('http-equiv="Content-Security-Policy"'); // the header's policy, with the nonce, is the only one
    const cookie = (page.headers['set-cookie'] ?? [])[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);

    const jar = cookie.split(';')[0] as string;
    const script = await raw(served.server.port, { path: '/assets/app.js', headers: { cookie: jar } });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    const reload = await raw(served.server.port, { path: '/', headers: { cookie: jar } });
    expect(reload.status).toBe(200);
    const viaCookie = await call(served, 'cluster:list', {}, { cookie: jar, origin: origin() });
    expect(viaCookie.status).toBe(200);

    // another launch: another token, another nonce
    const other = await startServer({ rpc: served.endpoint, rendererDir: served.rendererDir });
    try {
      expect(other.token).not.toBe(served.server.token);
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
      const otherPage = await raw(other.port, { path: `/?token=${other.token}` });
      expect(otherPage.headers['content-security-policy']).not.toContain(`'nonce-${nonce}'`);
    } finally {
      await other.close();
    }
  });

  it('refuses the files without the token, and never serves outside the build', async () => {
    expect((await raw(served.server.port, { path: '/' })).status).toBe(401);
    expect((await raw(served.server.port, { path: '/assets/app.js' })).status).toBe(401);
    const token = served.server.token;
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const answer = await raw(served.server.port, { path: `${path}?token=${token}` });
      expect(answer.body, path).not.toContain('not for the browser');
    }
    expect((await raw(served.server.port, { path: `/assets/missing.js?token=${token}` })).status).toBe(404);
    expect((await raw(served.server.port, { path: `/favicon.ico?token=${token}` })).status).toBe(204); // no icon in this build: no console error either
  });

  it('shows a person without the token a "not authorised" page saying what to open, echoing nothing', async () => {
    const page = await raw(served.server.port, { path: '/?token=<b>guess</b>', headers: { Accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/Not authorised/);
    expect(page.body).toContain('?token=');
    expect(page.body).not.toContain('guess');
    expect(page.body).not.toContain(served.server.token);
    // a program (no text/html in Accept) still gets the JSON envelope
    const program = await raw(served.server.port, { path: '/' });
    expect(program.headers['content-type']).toMatch(/^application\/json/);
  });
});

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (e) => {
      if (!String(e.message).includes('Unexpected server response')) reject(e);
    });
  });
}

function openEvents(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.server.port}/events?token=${served.server.token}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
