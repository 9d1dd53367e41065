import type { Reply } from '../../src/contract/errors.js';
import type { InputOf, NamesOfKind, OutputOf, ProcedureName } from '../../src/contract/procedures.js';

/**
 * The renderer's one typed client of the contract (src/contract/procedures.ts). Screens and stores
 * receive a FerryClient and never know which transport carries it: Electron IPC (ipc.ts), the local
 * HTTP/WebSocket server of serve mode (http.ts), or the handler table in the same process (local.ts,
 * for component tests).
 *
 * Nothing here throws: every failure, a transport's included, arrives as `{ ok: false, error }`.
 */

/** Queries and commands: answered once. */
export type CallableName = Exclude<ProcedureName, NamesOfKind<'subscription'>>;
/** Subscriptions: the input filters, each event arrives as one reply. */
export type SubscriptionName = NamesOfKind<'subscription'>;

export type SubscriptionListener<N extends SubscriptionName> = (reply: Reply<OutputOf<N>>) => void;

export interface FerryClient {
  /** Calls a query or a command. Resolves with an envelope; never rejects. */
  invoke<N extends CallableName>(name: N, input: InputOf<N>): Promise<Reply<OutputOf<N>>>;
  /**
   * Listens to a subscription until the returned function is called. The listener gets
   * `{ ok: true, value: event }` per event; `{ ok: false, error }` when the subscription is refused
   * (nothing follows) or when the transport is lost (code 'unavailable': events may have been
   * missed, so a store re-reads what it shows; events resume once the transport is back).
   */
  subscribe<N extends SubscriptionName>(name: N, input: InputOf<N>, listener: SubscriptionListener<N>): () => void;
}

/**
 * The untyped shape every transport implements (names and inputs are checked again on the other
 * side, which never trusts the renderer). `asFerryClient` gives it the contract's types.
 */
export interface UntypedClient {
  invoke(name: string, input: unknown): Promise<Reply<unknown>>;
  subscribe(name: string, input: unknown, listener: (reply: Reply<unknown>) => void): () => void;
}

export function asFerryClient(untyped: UntypedClient): FerryClient {
  return {
    invoke: (name, input) => untyped.invoke(name, input) as never,
    subscribe: (name, input, listener) => untyped.subscribe(name, input, listener as (reply: Reply<unknown>) => void),
  };
}
