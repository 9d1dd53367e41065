import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints } from '../encoding.js';
import type { DeadlineArgs } from './index.js';
import { readTimestamp } from './timestamp.js';

/**
 * CDeadline: the VM's migration ends by the deadline (running → running VMs only). The timestamp
 * is read by the entry's one parser (`timestamp.ts`); an absolute wall-clock time needs the
 * instant the plan starts, which the model does not have: it is refused with the reason.
 */
export const encoder: ConstraintEncoder<DeadlineArgs> = {
  encode(c: Constraint<DeadlineArgs>, ctx: EncodingContext): EncodeResult {
    const t = parseDeadline(c.args.timestamp);
    if (typeof t === 'string') return { error: t };
    const v = c.args.vm;
    if (!ctx.isVariable(v) || ctx.initialState(v) !== 'running' || ctx.finalState(v) !== 'running') return constraints([], 'Deadline');
    return constraints([`${ctx.moves(v)} -> ${ctx.end(v)} <= ${t}`], 'Deadline');
  },
};

/** Seconds from the plan start, as the exact model needs them, or the sentence saying why not. */
export function parseDeadline(timestamp: string): number | string {
  const d = readTimestamp(timestamp);
  if ('error' in d) return d.error;
  if (!d.relative) {
    return `the absolute deadline ${JSON.stringify(timestamp)} (a wall-clock time) is not supported by the exact model, which does not know when the plan starts: give it relative to the plan start ("+hh:mm:ss")`;
  }
  return d.seconds;
}
