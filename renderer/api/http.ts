import type { ErrorBody, Reply } from '../../src/contract/errors.js';
import { type FerryClient, asFerryClient } from './client.js';

/**
 * The client of serve mode's local server (main/node/serve): queries and commands are
 * `POST /rpc/ferry:<procedure>` with the input as the JSON body; every subscription of the page
 * shares one WebSocket on `/events`. The per-launch token goes in the Authorization header, and in
 * the WebSocket's address (a browser cannot set headers on a WebSocket).
 *
 * WebSocket frames (JSON), as main/node/serve/protocol.ts defines them:
 *   client → server  { type: 'subscribe', id, name, input } · { type: 'unsubscribe', id }
 *   server → client  { type: 'event', id, reply } · { type: 'error', error }
 *
 * A lost connection is retried with a growing delay; every live subscription is sent again once it
 * is back, and its listener is told of the loss by one 'unavailable' envelope (events may have
 * been missed meanwhile). Nothing here throws or rejects.
 */

/** What http.ts needs of a WebSocket: the browser's, or `ws`'s under Node 20 (which has no global one). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}
export type SocketConstructor = new (url: string) => SocketLike;

export interface HttpClientOptions {
  /** The server's origin, `http://127.0.0.1:<port>` (in a page: `location.origin`). */
  readonly baseUrl: string;
  /** The launch's token; '' when the page has none (a reload: the server's cookie carries it then). */
  readonly token: string;
  /** Default: the global WebSocket. */
  readonly WebSocket?: SocketConstructor;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** First retry delay after a lost connection (ms, default 250), doubled up to `maxRetryMs` (default 5000). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export interface HttpClient extends FerryClient {
  /** Ends every subscription and closes the WebSocket (no reconnection after). */
  close(): void;
}

const OPEN = 1;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const events = new EventChannel(base, options);

  async function invoke(name: string, input: unknown): Promise<Reply<unknown>> {
    let body: string;
    try {
      body = JSON.stringify(input ?? {});
    } catch (e) {
      return failure('invalid-request', `the input of ${name} cannot be sent as JSON: ${messageOf(e)}`);
    }
    let response: Response;
    try {
      response = await doFetch(`${base}/rpc/${encodeURIComponent(`ferry:${name}`)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token === '' ? {} : { authorization: `Bearer ${options.token}` }) },
        body,
      });
    } catch (e) {
      return failure('unavailable', `the Ferry server cannot be reached (${messageOf(e)})`);
    }
    return readReply(response);
  }

  const client = asFerryClient({ invoke, subscribe: (name, input, listener) => events.subscribe(name, input, listener) });
  return { ...client, close: () => events.close() };
}

/** The server answers every message with an envelope, even when it refuses it (401, 400…). */
async function readReply(response: Response): Promise<Reply<unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch (e) {
    return failure('unavailable', `the answer of the Ferry server was cut (${messageOf(e)})`);
  }
  const parsed = parseJson(text);
  if (isEnvelope(parsed)) return parsed;
  return failure('unavailable', `the Ferry server answered HTTP ${response.status} without a reply envelope`);
}

// ---- subscriptions over one WebSocket -------------------------------------------------------

interface Subscription {
  readonly name: string;
  readonly input: unknown;
  readonly listener: (reply: Reply<unknown>) => void;
}

class EventChannel {
  private readonly subscriptions = new Map<string, Subscription>();
  private socket: SocketLike | undefined;
  private nextId = 1;
  private retryMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Set from a loss until the next open: each listener hears of one outage once, not at every retry. */
  private outage: string | undefined;

  constructor(
    private readonly base: string,
    private readonly options: HttpClientOptions,
  ) {
    this.retryMs = options.retryMs ?? 250;
  }

  subscribe(name: string, input: unknown, listener: (reply: Reply<unknown>) => void): () => void {
    const id = `s${this.nextId++}`;
    const sub: Subscription = { name, input, listener };
    // the listener hears nothing before subscribe has returned its unsubscribe
    if (this.closed) {
      queueMicrotask(() => this.tell(sub, failure('unavailable', 'the client is closed')));
      return () => {};
    }
    this.subscriptions.set(id, sub);
    if (this.socket?.readyState === OPEN) this.sendSubscribe(id, sub);
    else {
      const outage = this.outage;
      if (outage !== undefined) queueMicrotask(() => this.subscriptions.has(id) && this.tell(sub, failure('unavailable', outage)));
      this.connect();
    }
    return () => this.unsubscribe(id);
  }

  close(): void {
    this.closed = true;
    this.subscriptions.clear();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.dropSocket();
  }

  private unsubscribe(id: string): void {
    if (!this.subscriptions.delete(id)) return;
    if (this.socket?.readyState === OPEN) this.send({ type: 'unsubscribe', id });
    if (this.subscriptions.size === 0) this.dropSocket();
  }

  private connect(): void {
    if (this.socket !== undefined || this.retryTimer !== undefined || this.closed) return;
    const Socket = this.options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
    if (Socket === undefined) {
      const orphans = [...this.subscriptions.values()];
      this.subscriptions.clear();
      queueMicrotask(() => orphans.forEach((sub) => this.tell(sub, failure('unavailable', 'this environment has no WebSocket: pass one to createHttpClient'))));
      return;
    }
    const token = this.options.token === '' ? '' : `?token=${encodeURIComponent(this.options.token)}`;
    const url = `${this.base.replace(/^http/, 'ws')}/events${token}`;
    let socket: SocketLike;
    try {
      socket = new Socket(url);
    } catch (e) {
      // an address the WebSocket refuses: told after subscribe has returned, then retried as a loss
      queueMicrotask(() => this.lost(`cannot open the event connection (${messageOf(e)})`));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = this.options.retryMs ?? 250;
      this.outage = undefined;
      for (const [id, sub] of this.subscriptions) this.sendSubscribe(id, sub);
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => {}; // a close always follows, and handles it
    socket.onclose = () => {
      if (this.socket !== socket) return; // dropped on purpose
      this.socket = undefined;
      this.lost('the event connection to the Ferry server was lost; reconnecting');
    };
  }

  /** Tells every listener (once per outage), then tries again later while someone still listens. */
  private lost(message: string): void {
    if (this.outage === undefined) for (const sub of this.subscriptions.values()) this.tell(sub, failure('unavailable', message));
    this.outage ??= message;
    if (this.closed || this.subscriptions.size === 0 || this.retryTimer !== undefined) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs ?? 5000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.subscriptions.size > 0) this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    const frame = parseJson(typeof data === 'string' ? data : String(data));
    if (!isRecord(frame)) return;
    if (frame['type'] === 'event' && typeof frame['id'] === 'string' && isEnvelope(frame['reply'])) {
      const sub = this.subscriptions.get(frame['id']);
      if (sub === undefined) return; // unsubscribed while the event was on its way
      const reply = frame['reply'];
      // a refused input is refused again on every retry: forget it, as the server did
      if (!reply.ok && reply.error.code === 'invalid-request') this.subscriptions.delete(frame['id']);
      this.tell(sub, reply);
    }
  }

  private sendSubscribe(id: string, sub: Subscription): void {
    this.send({ type: 'subscribe', id, name: sub.name, input: sub.input ?? {} });
  }

  private send(frame: Record<string, unknown>): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      // the close that follows a failed send reconnects and subscribes again
    }
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.outage = undefined; // whoever subscribes next hears of the next loss, not of this one
    if (socket === undefined) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close();
    } catch {
      // closing a socket that never opened: nothing to release
    }
  }

  private tell(sub: Subscription, reply: Reply<unknown>): void {
    try {
      sub.listener(reply);
    } catch (e) {
      console.error('a Ferry subscription listener failed', e);
    }
  }
}

// ---- helpers --------------------------------------------------------------------------------

function failure(code: ErrorBody['code'], message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(value: unknown): value is Reply<unknown> {
  if (!isRecord(value)) return false;
  if (value['ok'] === true) return 'value' in value;
  return value['ok'] === false && isRecord(value['error']) && typeof value['error']['code'] === 'string' && typeof value['error']['message'] === 'string';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
