/** At most `limit` tasks at once, the others wait in order (the concurrency limit of a cluster's SSH work). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private peak = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a concurrency limit is a whole number ≥ 1, got ${limit}`);
  }

  /** The most tasks that ever ran at once (tests check the limit holds). */
  get highWater(): number {
    return this.peak;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // a finishing task hands its slot to the next waiter directly, so no newcomer can slip in between
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
