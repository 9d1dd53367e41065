// The one object the Electron preload (main/electron/preload.ts) exposes to the page, with
// contextBridge.exposeInMainWorld('ferry', …). Absent in a browser (serve mode).
import type { Reply } from '../../src/contract/errors.js';

export interface FerryBridge {
  /** A query or command by procedure name (checked against the contract's list in the preload and again in main). */
  invoke(name: string, input: unknown): Promise<Reply<unknown>>;
  /** A subscription; the returned function ends it. */
  subscribe(name: string, input: unknown, listener: (reply: Reply<unknown>) => void): () => void;
}

declare global {
  interface Window {
    readonly ferry?: FerryBridge;
  }
}
