import type { Constraint } from '../constraint.js';
import { type ConstraintEncoder, type EncodingContext, type EncodeResult, constraints, intArg } from '../encoding.js';

/**
 * CDeadline: the VM's migration ends by the deadline (running → running VMs only). Timestamps:
 * a number of seconds, or `+h:mm:ss` / `+m'ss` relative to the plan start. An absolute wall-clock
 * time (no `+`) needs the plan's start instant, which the model does not have: it is refused.
 */
export const encoder: ConstraintEncoder = {
  encode(c: Constraint, ctx: EncodingContext): EncodeResult {
    const vm = intArg(c.args, 'vm');
    if ('error' in vm) return vm;
    const t = parseDeadline(c.args['timestamp']);
    if (typeof t === 'string') return { error: t };
    const v = vm.value;
    if (!ctx.isVariable(v) || ctx.initialState(v) !== 'running' || ctx.finalState(v) !== 'running') return constraints([], 'Deadline');
    return constraints([`${ctx.moves(v)} -> ${ctx.end(v)} <= ${t}`], 'Deadline');
  },
};

/** Seconds from the plan start, or an error sentence. */
export function parseDeadline(raw: unknown): number | string {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw : `a deadline must be a whole number of seconds ≥ 0 (got ${raw})`;
  if (typeof raw !== 'string') return "missing 'timestamp'";
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  if (!text.startsWith('+')) return `absolute deadline '${raw}' is not supported by the exact model: give it relative to the plan start ('+hh:mm:ss')`;
  const fields = text.slice(1).split(/[:']/);
  if (fields.length === 0 || fields.length > 3 || fields.some((f) => !/^\d+$/.test(f))) return `cannot read the deadline '${raw}' (expected '+hh:mm:ss', "+m's" or seconds)`;
  return fields.reduce((acc, f) => acc * 60 + Number.parseInt(f, 10), 0);
}
