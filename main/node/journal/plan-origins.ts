import { createHash } from 'node:crypto';

/**
 * A kept plan's origin apart from its body. The plan:compute result carries the model the plan
 * starts from (2 MB of JSON for 40,000 VMs), and every what-if on one cluster read starts from the
 * same model: the journal keeps each origin once (table `plan_origins`, keyed by its digest) and
 * each plan's body without it. These functions work on the result's JSON, whatever its version:
 * a body with no whole plan (no plan, or one on an origin the caller held) has no origin to split.
 */

/** The body to store (JSON text) and, when the plan carries one, its origin and the origin's digest. */
export interface SplitPlan {
  readonly body: string;
  readonly origin: { readonly digest: string; readonly text: string } | null;
}

/** `sha256:<hex>` of the origin's JSON text, as stored: the key of its row. */
export function originDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** The result's JSON without its plan's origin, and that origin's text with its digest. */
export function splitOrigin(computed: unknown): SplitPlan {
  const plan = planOf(computed);
  if (plan === undefined || !('origin' in plan)) return { body: JSON.stringify(computed), origin: null };
  const { origin, ...actions } = plan;
  const text = JSON.stringify(origin);
  const result = (computed as { result: Record<string, unknown> }).result;
  const body = JSON.stringify({ ...(computed as Record<string, unknown>), result: { ...result, plan: actions } });
  return { body, origin: { digest: originDigest(text), text } };
}

/** The stored body with its plan's origin put back first, as BtrPlace's plan JSON has it. */
export function joinOrigin(body: unknown, origin: unknown): unknown {
  const plan = planOf(body);
  if (plan === undefined) return body;
  const result = (body as { result: Record<string, unknown> }).result;
  return { ...(body as Record<string, unknown>), result: { ...result, plan: { origin, ...plan } } };
}

/** The result's plan object, if it has one. */
function planOf(computed: unknown): Record<string, unknown> | undefined {
  if (!isObject(computed) || !isObject(computed['result'])) return undefined;
  const plan = computed['result']['plan'];
  return isObject(plan) ? plan : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
