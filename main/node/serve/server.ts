import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';

import type { ErrorBody, Reply } from '../../../src/contract/errors.js';
import type { EventSockets } from './events.js';
import { Guard, newToken, tokenCookieName } from './guard.js';
import { securityHeaders } from './headers.js';
import { RendererFiles } from './static.js';

/**
 * Serve mode: the console in a browser, without Electron. One HTTP server on 127.0.0.1 only:
 *
 * - `POST /rpc/ferry:<procedure>` with the input as a JSON body answers the handler table's
 *   envelope with status 200, whatever the envelope says. Any other status means the HTTP layer
 *   refused the message before a service saw it (401 no or wrong token, 403 foreign Host or
 *   Origin, 400 a body that is not JSON, 404, 405, 413, 415); its body is an error envelope too.
 * - `GET /events` upgrades to the WebSocket of every subscription (protocol.ts).
 * - any other GET serves the built renderer (static.ts).
 *
 * The handler table (main/rpc createHandlers) is mounted unchanged; this module adds only the
 * transport and its guard (guard.ts). It never closes the table: its owner does.
 *
 * Listening comes first: this module loads only Node's http and the guard. The contract (zod and
 * its schemas) and the WebSocket side (`ws`, events.ts) are loaded on the first call and the first
 * WebSocket, so the address is printed at once and the page's files are served before they load
 * (issue 16: console ready).
 */

/** What the server needs of the handler table (main/rpc RpcServer). */
export interface RpcEndpoint {
  invoke(name: string, rawInput: unknown): Promise<Reply<unknown>>;
  subscribe(name: string, rawInput: unknown, listener: (reply: Reply<unknown>) => void): () => void;
}

export interface ServeOptions {
  readonly rpc: RpcEndpoint;
  /** The built renderer (dist/renderer). */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default: a fresh random one (32 bytes). */
  readonly token?: string;
  /** Largest request body (default 64 MiB: a whole BtrPlace instance may travel in plan:compute). */
  readonly maxBodyBytes?: number;
  /** Largest WebSocket frame from a client (default 1 MiB: subscribe frames are small). */
  readonly maxFrameBytes?: number;
  /** Subscriptions one WebSocket may hold at once (default 256). */
  readonly maxSubscriptions?: number;
  /** An unexpected failure, with its stack, for the process's log (clients get one line). */
  readonly onError?: (where: string, error: unknown) => void;
}

export interface ServeHandle {
  readonly port: number;
  readonly token: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The address to open: the origin with `/?token=…`. */
  readonly url: string;
  /** Stops accepting, ends every WebSocket and connection. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const token = options.token ?? newToken();
  const styleNonce = randomBytes(16).toString('base64url');
  const files = new RendererFiles(options.rendererDir, styleNonce);
  const onError = options.onError ?? ((where, e) => console.error(`ferry console: ${where}:`, e));
  const http = createServer();

  const port = await listen(http, options.port ?? 0);
  const origin = `http://${HOST}:${port}`;
  const guard = new Guard(token, port);
  const headers = securityHeaders({ styleNonce, connect: [`ws://${HOST}:${port}`] });
  const sockets = onFirstUse(() =>
    import('./events.js').then((m) => new m.EventSockets({ rpc: options.rpc, maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024, maxSubscriptions: options.maxSubscriptions ?? 256, onError })),
  );
  const context: Context = { options, guard, files, headers, onError, port, sockets };

  http.on('request', (req, res) => {
    handleRequest(context, req, res).catch((e: unknown) => {
      onError(`${req.method ?? '?'} ${(req.url ?? '?').split('?')[0] ?? ''}`, e); // never the query: it may hold the token
      if (!res.headersSent) sendJson(res, context, 500, errorEnvelope({ code: 'internal', message: 'the console server failed on this request (see its log)' }));
      else res.destroy();
    });
  });
  http.on('upgrade', (req, socket, head) => upgrade(context, req, socket, head));
  http.on('clientError', (_e, socket) => socket.destroy());

  return {
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: () => closeAll(http, sockets),
  };
}

/** A value made on first use, once; `made()` is it if already asked for (and not failed). */
interface OnFirstUse<T> {
  get(): Promise<T>;
  made(): Promise<T> | undefined;
}

function onFirstUse<T>(make: () => Promise<T>): OnFirstUse<T> {
  let value: Promise<T> | undefined;
  return {
    get: () => (value ??= make()),
    made: () => value,
  };
}

/** The contract's namespace (`ferry`), read on the first call: the contract is not loaded before the server listens. */
const contractNamespace = onFirstUse(async () => (await import('../../../src/contract/procedures.js')).NAMESPACE);

interface Context {
  readonly options: ServeOptions;
  readonly guard: Guard;
  readonly files: RendererFiles;
  readonly headers: Record<string, string>;
  readonly onError: (where: string, error: unknown) => void;
  readonly port: number;
  readonly sockets: OnFirstUse<EventSockets>;
}

function listen(http: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, HOST, () => {
      http.off('error', reject);
      const address = http.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

// ---- HTTP -----------------------------------------------------------------------------------

async function handleRequest(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req, ctx.port);
  if (url === undefined) return refuse(req, res, ctx, 400, { code: 'invalid-request', message: 'the request target is not a path' });
  const refusal = ctx.guard.check(req.headers, url);
  if (refusal !== undefined) {
    if (wantsPage(req, url)) return refusePage(req, res, ctx, refusal.status);
    return refuse(req, res, ctx, refusal.status, refusal.error);
  }

  if (url.pathname.startsWith('/rpc/')) {
    if (req.method !== 'POST') return refuse(req, res, ctx, 405, { code: 'invalid-request', message: `${url.pathname}: procedures are called with POST` }, { Allow: 'POST' });
    return callProcedure(ctx, req, res, url.pathname.slice('/rpc/'.length));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, ctx, 405, { code: 'invalid-request', message: `${url.pathname}: only GET serves the console` }, { Allow: 'GET, HEAD' });
  if (url.pathname === '/events') return refuse(req, res, ctx, 400, { code: 'invalid-request', message: '/events is a WebSocket: connect with an Upgrade request' });
  return serveFile(ctx, req, res, url);
}

async function callProcedure(ctx: Context, req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
  const namespace = await contractNamespace.get();
  const name = procedureOfSegment(segment, namespace);
  if (name === undefined) {
    return refuse(req, res, ctx, 404, { code: 'not-found', message: `/rpc/${segment.slice(0, 80)}: expected /rpc/${namespace}:<procedure> (for example /rpc/${namespace}:cluster:list)` });
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return refuse(req, res, ctx, 415, { code: 'invalid-request', message: `the body must be JSON (Content-Type: application/json), got ${JSON.stringify(type)}` });
  }
  const limit = ctx.options.maxBodyBytes ?? 64 * 1024 * 1024;
  const body = await readBody(req, limit);
  if (body === 'too-large') return refuse(req, res, ctx, 413, { code: 'invalid-request', message: `the body is larger than ${limit} bytes` }, { Connection: 'close' });
  if (body === 'aborted') return;
  const input = parseBody(body);
  if (!input.ok) return sendJson(res, ctx, 400, errorEnvelope(input.error));
  let reply: Reply<unknown>;
  try {
    reply = await ctx.options.rpc.invoke(name, input.value);
  } catch (e) {
    // the handler table answers envelopes; a throw is a bug there, told in one line here
    ctx.onError(`${name}`, e);
    reply = errorEnvelope({ code: 'internal', message: `${name} failed inside the console server (see its log)` });
  }
  sendJson(res, ctx, 200, reply);
}

/** `ferry:cluster:list` (or its %-encoded form) → `cluster:list`; undefined outside the namespace. */
export function procedureOfSegment(segment: string, namespace: string): string | undefined {
  let channel: string;
  try {
    channel = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  const prefix = `${namespace}:`;
  // the name itself is checked by the handler table, which names the closest known procedure
  return channel.startsWith(prefix) && channel.length > prefix.length ? channel.slice(prefix.length) : undefined;
}

/** The body as text, or why there is none: larger than `limit`, or the client went away. */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve('aborted');
      done = true;
    });
    req.on('aborted', () => {
      if (!done) resolve('aborted');
      done = true;
    });
  });
}

type BodyParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorBody };

/** The input: the body's JSON (an empty body is `{}`), or where it stops being JSON. */
export function parseBody(text: string): BodyParse {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const detail = e instanceof Error ? e.message : 'unreadable';
    return { ok: false, error: { code: 'invalid-request', message: `$: the body is not JSON (${detail}${locationOf(text, detail)})`, path: '$' } };
  }
}

/** "line L, column C" of V8's "at position N", for a person reading a multi-line body. */
function locationOf(text: string, detail: string): string {
  const match = /position (\d+)/.exec(detail);
  if (match === null) return '';
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `; line ${line}, column ${column}`;
}

async function serveFile(ctx: Context, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const file = await ctx.files.get(url.pathname);
  const extra: Record<string, string> = { 'Content-Type': file.type, 'Cache-Control': file.cache };
  // the first page load carries the token in its address: a cookie keeps it for reloads, once the page has removed it
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null && ctx.guard.matches(queryToken)) extra['Set-Cookie'] = `${tokenCookieName(ctx.port)}=${queryToken}; Path=/; HttpOnly; SameSite=Strict`;
  res.writeHead(file.status, { ...ctx.headers, ...extra });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

function requestUrl(req: IncomingMessage, port: number): URL | undefined {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return undefined;
  try {
    return new URL(target, `http://${HOST}:${port}`);
  } catch {
    return undefined;
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, ctx: Context, status: number, error: ErrorBody, extra: Record<string, string> = {}): void {
  req.resume(); // drain an unread body, so the connection stays usable
  sendJson(res, ctx, status, errorEnvelope(error), extra);
}

/** A browser opening the console's address (not a program calling /rpc or /events). */
function wantsPage(req: IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' || url.pathname.startsWith('/rpc/') || url.pathname === '/events') return false;
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * What a person sees who opens the console without the launch's token (an old bookmark, a copied
 * address without ?token=…): a page saying so and what to do, rather than a JSON envelope. Static
 * text only: nothing from the request is echoed.
 */
const REFUSED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry: not authorised</title></head>
<body><main>
<h1>Not authorised</h1>
<p>This Ferry console only answers the address it printed when it started, which carries a token:
<code>Ferry console: http://127.0.0.1:PORT/?token=…</code></p>
<p>Open that address (each launch has a new token), or start the console again with
<code>npm start</code> or <code>npx ferry console</code>.</p>
</main></body></html>
`;

function refusePage(req: IncomingMessage, res: ServerResponse, ctx: Context, status: number): void {
  req.resume();
  res.writeHead(status, { ...ctx.headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(REFUSED_PAGE);
}

function sendJson(res: ServerResponse, ctx: Context, status: number, body: unknown, extra: Record<string, string> = {}): void {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    ctx.onError('an answer that JSON cannot carry', e);
    status = 500;
    text = JSON.stringify(errorEnvelope({ code: 'internal', message: 'the answer could not be encoded (see the server log)' }));
  }
  res.writeHead(status, { ...ctx.headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

function errorEnvelope(error: ErrorBody): Reply<never> {
  return { ok: false, error };
}

// ---- WebSocket ------------------------------------------------------------------------------

function upgrade(ctx: Context, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const url = requestUrl(req, ctx.port);
  if (url === undefined || url.pathname !== '/events') return refuseUpgrade(socket, { status: 404, error: { code: 'not-found', message: 'the only WebSocket is /events' } });
  const refusal = ctx.guard.check(req.headers, url);
  if (refusal !== undefined) return refuseUpgrade(socket, refusal);
  ctx.sockets.get().then(
    (sockets) => sockets.accept(req, socket, head),
    (e: unknown) => {
      ctx.onError('loading the WebSocket server', e);
      socket.destroy();
    },
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function refuseUpgrade(socket: Duplex, refusal: { readonly status: number; readonly error: ErrorBody }): void {
  const body = JSON.stringify(errorEnvelope(refusal.error));
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

async function closeAll(http: Server, sockets: OnFirstUse<EventSockets>): Promise<void> {
  const events = await sockets.made()?.catch(() => undefined);
  await events?.close();
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}
