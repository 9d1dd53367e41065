import type { ErrorBody, Reply } from '../../../src/contract/errors.js';
import type { RpcEndpoint } from './server.js';

/**
 * The handler table while it is still being made. `ferry console` listens and prints its address
 * first, then loads and opens the services (most of a launch's time: the planner, the providers,
 * the contract's schemas, the journal); the page's first calls and subscriptions, made meanwhile,
 * wait here and go to the table once it is attached, or are answered with why it never will be.
 */
export class PendingEndpoint implements RpcEndpoint {
  private table: RpcEndpoint | undefined;
  private failure: ErrorBody | undefined;
  private readonly settled: Promise<void>;
  private settle!: () => void;
  /** Subscriptions made before the table was there, started (or refused) when it settles. */
  private readonly waiting = new Set<() => void>();

  /** `onWaiting`: a call or subscription arrived before the table (once per arrival, until settled). */
  constructor(private readonly onWaiting: () => void = () => {}) {
    this.settled = new Promise<void>((resolve) => (this.settle = resolve));
  }

  /** The table is ready: every waiting call and subscription goes to it. */
  attach(table: RpcEndpoint): void {
    if (this.table !== undefined || this.failure !== undefined) throw new Error('the console endpoint is settled already');
    this.table = table;
    this.release();
  }

  /** The table could not be made: every waiting and later call is answered `unavailable` with this message. */
  fail(message: string): void {
    if (this.table !== undefined || this.failure !== undefined) throw new Error('the console endpoint is settled already');
    this.failure = { code: 'unavailable', message };
    this.release();
  }

  async invoke(name: string, rawInput: unknown): Promise<Reply<unknown>> {
    if (this.table === undefined && this.failure === undefined) this.onWaiting();
    await this.settled;
    if (this.table !== undefined) return this.table.invoke(name, rawInput);
    return { ok: false, error: this.failureBody() };
  }

  subscribe(name: string, rawInput: unknown, listener: (reply: Reply<unknown>) => void): () => void {
    if (this.table !== undefined) return this.table.subscribe(name, rawInput, listener);
    if (this.failure !== undefined) {
      listener({ ok: false, error: this.failure });
      return () => {};
    }
    let unsubscribe: (() => void) | undefined;
    const start = (): void => {
      if (this.table !== undefined) unsubscribe = this.table.subscribe(name, rawInput, listener);
      else listener({ ok: false, error: this.failureBody() });
    };
    this.waiting.add(start);
    this.onWaiting();
    return () => {
      this.waiting.delete(start);
      unsubscribe?.();
    };
  }

  private release(): void {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const start of waiting) start();
    this.settle();
  }

  private failureBody(): ErrorBody {
    return this.failure ?? { code: 'internal', message: 'the console endpoint settled without a table' };
  }
}
