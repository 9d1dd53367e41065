import type { Reply } from '../../src/contract/errors.js';
import { type FerryClient, asFerryClient } from './client.js';

/**
 * A client over a handler table in the same process (`createHandlers` of main/rpc), for component
 * and store tests: the real services answer, with no transport in between. The server is described
 * by its shape only, so this file (bundled with the renderer) imports nothing from main/.
 *
 * Inputs, replies and events make a round trip through JSON, as on every real transport: a test
 * cannot pass what a wire cannot carry, nor keep a reference into the services' state.
 */
export interface InProcessServer {
  invoke(name: string, rawInput: unknown): Promise<Reply<unknown>>;
  subscribe(name: string, rawInput: unknown, listener: (reply: Reply<unknown>) => void): () => void;
}

export function createLocalClient(server: InProcessServer): FerryClient {
  return asFerryClient({
    invoke: async (name, input) => {
      const carried = carry(name, input);
      if (!carried.ok) return carried;
      try {
        return roundTrip(await server.invoke(name, carried.value));
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: `the in-process server failed on ${name}: ${e instanceof Error ? e.message : String(e)}` } };
      }
    },
    subscribe: (name, input, listener) => {
      const carried = carry(name, input);
      if (!carried.ok) {
        queueMicrotask(() => listener(carried));
        return () => {};
      }
      return server.subscribe(name, carried.value, (reply) => listener(roundTrip(reply)));
    },
  });
}

/** The input as the other side of a wire would get it, or why it cannot travel. */
function carry(name: string, input: unknown): Reply<unknown> {
  try {
    return { ok: true, value: roundTrip(input) };
  } catch (e) {
    return { ok: false, error: { code: 'invalid-request', message: `the input of ${name} cannot be sent as JSON: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

function roundTrip<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
