import type { Reply } from '../../src/contract/errors.js';
import { type FerryClient, asFerryClient } from './client.js';
import type { FerryBridge } from './ferry-bridge.js';

/**
 * The client inside the Electron app: the preload's one object (`window.ferry`). The preload and
 * main check every name and input again; this side only keeps the promise of "never rejects".
 */
export function createIpcClient(bridge: FerryBridge): FerryClient {
  return asFerryClient({
    invoke: async (name, input) => {
      try {
        return await bridge.invoke(name, input ?? {});
      } catch (e) {
        return unavailable(`the Ferry main process did not answer ${name} (${e instanceof Error ? e.message : String(e)})`);
      }
    },
    subscribe: (name, input, listener) => {
      try {
        return bridge.subscribe(name, input ?? {}, listener);
      } catch (e) {
        const reply = unavailable(`cannot subscribe to ${name} (${e instanceof Error ? e.message : String(e)})`);
        queueMicrotask(() => listener(reply));
        return () => {};
      }
    },
  });
}

function unavailable(message: string): Reply<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}
