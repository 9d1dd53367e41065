// The only file that touches ipcMain: one handler per procedure channel (`ferry:<procedure>`),
// each behind the sender check (the app's window, its main frame, an app page), all mounting the
// same handler table as serve mode. Subscriptions' events go back over webContents.send.
import { type IpcMainInvokeEvent, type WebContents, ipcMain } from 'electron';

import { type Reply, fail } from '../../src/contract/errors.js';
import { PROCEDURES, PROCEDURE_NAMES, type ProcedureName, channelOf } from '../../src/contract/procedures.js';
import type { RpcServer } from '../rpc/index.js';
import { EVENT_CHANNEL, type EventMessage, UNSUBSCRIBE_CHANNEL } from './channels.js';
import { isTrustedSender } from './policy.js';

/** Binds every channel; the returned function unbinds them and ends every subscription. */
export function bindIpc(rpc: RpcServer, appWindowIds: ReadonlySet<number>): () => void {
  const subscriptions = new Map<WebContents, Map<string, () => void>>();
  const watched = new WeakSet<WebContents>();
  const trusted = (event: IpcMainInvokeEvent): boolean =>
    isTrustedSender({ senderId: event.sender.id, isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame, frameUrl: event.senderFrame?.url }, appWindowIds);

  for (const name of PROCEDURE_NAMES) {
    if (PROCEDURES[name].kind === 'subscription') ipcMain.handle(channelOf(name), (event, message: unknown) => (trusted(event) ? subscribe(event.sender, name, message) : refusedSender()));
    else ipcMain.handle(channelOf(name), (event, input: unknown) => (trusted(event) ? rpc.invoke(name, input) : refusedSender()));
  }
  ipcMain.handle(UNSUBSCRIBE_CHANNEL, (event, id: unknown) => {
    if (!trusted(event) || typeof id !== 'string') return refusedSender();
    const own = subscriptions.get(event.sender);
    own?.get(id)?.();
    own?.delete(id);
    return { ok: true, value: null };
  });

  function subscribe(sender: WebContents, name: ProcedureName, message: unknown): Reply<null> {
    const { id, input } = (typeof message === 'object' && message !== null ? message : {}) as { id?: unknown; input?: unknown };
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) return fail('invalid-request', '$.id: expected a subscription id', { path: '$.id' });
    const own = subscriptionsOf(sender);
    own.get(id)?.();
    own.set(
      id,
      rpc.subscribe(name, input, (reply) => {
        if (sender.isDestroyed()) return;
        const event: EventMessage = { id, reply };
        sender.send(EVENT_CHANNEL, event);
      }),
    );
    return { ok: true, value: null };
  }

  /** The subscriptions of one page; a reload or a closed window ends them. */
  function subscriptionsOf(sender: WebContents): Map<string, () => void> {
    let own = subscriptions.get(sender);
    if (own === undefined) {
      own = new Map();
      subscriptions.set(sender, own);
    }
    if (!watched.has(sender)) {
      watched.add(sender);
      sender.once('destroyed', () => endAll(sender));
      sender.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) endAll(sender);
      });
    }
    return own;
  }

  function endAll(sender: WebContents): void {
    for (const unsubscribe of subscriptions.get(sender)?.values() ?? []) unsubscribe();
    subscriptions.delete(sender);
  }

  return () => {
    for (const name of PROCEDURE_NAMES) ipcMain.removeHandler(channelOf(name));
    ipcMain.removeHandler(UNSUBSCRIBE_CHANNEL);
    for (const own of subscriptions.values()) for (const unsubscribe of own.values()) unsubscribe();
    subscriptions.clear();
  };
}

function refusedSender(): Reply<never> {
  return fail('invalid-request', 'refused: this message does not come from the console window');
}
