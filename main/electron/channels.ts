/**
 * The IPC channels between the preload and main besides one per procedure (`ferry:<procedure>`,
 * channelOf in src/contract). No Electron import: the preload bundles this file, tests read it.
 *
 * - a query or command: `ipcRenderer.invoke('ferry:<name>', input)` answers the reply envelope;
 * - a subscription: `ipcRenderer.invoke('ferry:<name>', { id, input })` answers `{ ok: true, value: null }`
 *   (or the refusal of the sender); its events come on EVENT_CHANNEL as `{ id, reply }`;
 * - UNSUBSCRIBE_CHANNEL with the id ends it.
 */
import { NAMESPACE } from '../../src/contract/procedures.js';

export const EVENT_CHANNEL = `${NAMESPACE}:event`;
export const UNSUBSCRIBE_CHANNEL = `${NAMESPACE}:unsubscribe`;

/** The app's own pages: served by the `app:` protocol under this host (Electron) */
export const APP_SCHEME = 'app';
export const APP_HOST = 'ferry';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface SubscribeMessage {
  readonly id: string;
  readonly input: unknown;
}

export interface EventMessage {
  readonly id: string;
  readonly reply: unknown;
}
