import type { Plan } from '../../src/plan/plan.js';
import type { PlanProgress } from '../../src/solver/planner.js';

/**
 * Planning progress passes the independent plan checker before anyone sees it (ARCHITECTURE.md:
 * no plan reaches a user unless checkPlan accepted it). The planner streams every improving plan;
 * checking each one could cost more than the search on a large cluster, so the gate checks the
 * latest candidate at most every `minIntervalMs`, and leaves at least four times a check's cost
 * between two checks, so that checking stays under ~20 % of the time. A candidate superseded
 * before its turn is simply not shown (a better one is on its way); one the checker rejects is
 * dropped and counted.
 */

/** A progress report whose plan the checker accepted. */
export interface CheckedProgress extends PlanProgress {
  readonly checked: true;
}

export interface ProgressGateOptions {
  /** True when the checker accepts the plan. */
  readonly check: (plan: Plan) => boolean;
  readonly forward: (progress: CheckedProgress) => void;
  /** Least time between two checks (default 250 ms). */
  readonly minIntervalMs?: number;
  /** Most of the time spent checking (default 0.2). */
  readonly maxShare?: number;
  /**
   * How long the first candidate waits for its check (default 0: at once). A planning that answers
   * within it needs no progress: its answer shows the plan, and a check of a 40,000-VM candidate
   * would only delay that answer.
   */
  readonly firstCheckAfterMs?: number;
  readonly now?: () => number;
}

export class ProgressGate {
  private readonly minIntervalMs: number;
  private readonly maxShare: number;
  private readonly now: () => number;
  private pending: PlanProgress | undefined;
  private nextCheckAt = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Candidates the checker rejected. */
  rejected = 0;
  /** Candidates forwarded. */
  forwarded = 0;
  /** Time spent checking (ms). */
  checkMs = 0;

  constructor(private readonly options: ProgressGateOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.maxShare = options.maxShare ?? 0.2;
    this.now = options.now ?? Date.now;
    this.nextCheckAt = options.firstCheckAfterMs ? this.now() + options.firstCheckAfterMs : Number.NEGATIVE_INFINITY;
  }

  /** The planner's onProgress: checked now when a check is due, else kept for later. */
  offer(progress: PlanProgress): void {
    if (this.closed) return;
    this.pending = progress;
    if (this.now() >= this.nextCheckAt) this.checkPending();
    else this.arm();
  }

  /**
   * Planning ended. With a `final` plan (the one plan() returned, which plan() itself checked
   * against the full constraint list), the last candidate is shown unchecked when it is that plan,
   * and dropped otherwise: the answer brings a plan at least as good at once, and checking an older
   * one would only hold the answer back. Without one, the last candidate is checked and shown.
   */
  finish(final?: Plan): void {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    const last = this.pending;
    if (!last) return;
    if (final === undefined) this.checkPending();
    else {
      this.pending = undefined;
      if (last.plan === final) this.send(last);
    }
  }

  /** Stops without showing anything more (planning failed). */
  close(): void {
    this.closed = true;
    this.pending = undefined;
    this.disarm();
  }

  private checkPending(): void {
    const candidate = this.pending;
    this.pending = undefined;
    this.disarm();
    if (!candidate) return;
    const start = this.now();
    const accepted = this.options.check(candidate.plan);
    const spent = this.now() - start;
    this.checkMs += spent;
    // a check costing d waits d × (1 − share) / share before the next: share of the time at most
    this.nextCheckAt = this.now() + Math.max(this.minIntervalMs, (spent * (1 - this.maxShare)) / this.maxShare);
    if (accepted) this.send(candidate);
    else this.rejected++;
  }

  private send(progress: PlanProgress): void {
    this.forwarded++;
    this.options.forward({ ...progress, checked: true });
  }

  /** A candidate that arrives early is checked when its turn comes, even if no other follows. */
  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.checkPending();
    }, Math.max(0, this.nextCheckAt - this.now()));
    // a pending check must not keep the process alive after planning ended
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
