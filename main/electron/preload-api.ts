/**
 * The object the preload exposes as `window.ferry` (renderer/api/ferry-bridge.d.ts), built over
 * ipcRenderer. No Electron import: preload.ts passes the real ipcRenderer, tests a fake one.
 *
 * Every name is checked against the contract's list before anything is sent: an unknown name, or
 * a query called as a subscription, is answered here with an error envelope (main checks again).
 */
import type { ErrorBody, Reply } from '../../src/contract/errors.js';
import { PROCEDURES, type ProcedureName, channelOf, isProcedureName } from '../../src/contract/procedures.js';
import { EVENT_CHANNEL, type EventMessage, type SubscribeMessage, UNSUBSCRIBE_CHANNEL } from './channels.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface Bridge {
  invoke(name: string, input: unknown): Promise<Reply<unknown>>;
  subscribe(name: string, input: unknown, listener: (reply: Reply<unknown>) => void): () => void;
}

export function createBridge(ipc: IpcRendererLike): Bridge {
  const listeners = new Map<string, (reply: Reply<unknown>) => void>();
  let nextId = 1;

  ipc.on(EVENT_CHANNEL, (_event, message) => {
    if (!isEventMessage(message)) return;
    const listener = listeners.get(message.id);
    if (listener === undefined) return;
    const reply = message.reply;
    if (!reply.ok && reply.error.code === 'invalid-request') listeners.delete(message.id); // refused: nothing follows
    listener(reply);
  });

  return {
    async invoke(name, input) {
      const refusal = refuseName(name, 'call');
      if (refusal !== undefined) return { ok: false, error: refusal };
      try {
        return asReply(await ipc.invoke(channelOf(name as ProcedureName), input));
      } catch (e) {
        return { ok: false, error: { code: 'unavailable', message: `the main process did not answer ${name} (${e instanceof Error ? e.message : String(e)})` } };
      }
    },
    subscribe(name, input, listener) {
      const refusal = refuseName(name, 'subscribe');
      if (refusal !== undefined) {
        queueMicrotask(() => listener({ ok: false, error: refusal }));
        return () => {};
      }
      const id = `s${nextId++}`;
      listeners.set(id, listener);
      const message: SubscribeMessage = { id, input };
      ipc.invoke(channelOf(name as ProcedureName), message).then(
        (answer) => {
          const reply = asReply(answer);
          if (!reply.ok && listeners.delete(id)) listener(reply);
        },
        (e: unknown) => {
          if (listeners.delete(id)) listener({ ok: false, error: { code: 'unavailable', message: `cannot subscribe to ${name} (${e instanceof Error ? e.message : String(e)})` } });
        },
      );
      return () => {
        if (listeners.delete(id)) void ipc.invoke(UNSUBSCRIBE_CHANNEL, id).catch(() => undefined);
      };
    },
  };
}

/** Why `name` cannot be used that way, or undefined when it can. */
export function refuseName(name: unknown, use: 'call' | 'subscribe'): ErrorBody | undefined {
  if (!isProcedureName(name)) {
    return { code: 'invalid-request', message: `$.name: unknown procedure ${typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : `(a ${typeof name})`}`, path: '$.name' };
  }
  const subscription = PROCEDURES[name].kind === 'subscription';
  if (use === 'call' && subscription) return { code: 'invalid-request', message: `$.name: ${name} is a subscription: subscribe to it`, path: '$.name' };
  if (use === 'subscribe' && !subscription) return { code: 'invalid-request', message: `$.name: ${name} is a ${PROCEDURES[name].kind}, not a subscription: call it`, path: '$.name' };
  return undefined;
}

function isEventMessage(value: unknown): value is EventMessage & { readonly reply: Reply<unknown> } {
  if (typeof value !== 'object' || value === null) return false;
  const { id, reply } = value as { id?: unknown; reply?: unknown };
  return typeof id === 'string' && isReply(reply);
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const { ok, error } = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (ok === true) return 'value' in value;
  return ok === false && typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

function asReply(answer: unknown): Reply<unknown> {
  return isReply(answer) ? answer : { ok: false, error: { code: 'internal', message: 'the main process answered without a reply envelope' } };
}
