import type { OriginRef, PlanOnHeldOriginJson, WirePlan } from './wire.js';

/*
 * The two questions asked of a plan's origin reference, apart from wire.ts so that the console's
 * entry chunk can ask them without loading wire.ts's zod schemas (types only are imported here).
 */

/** Whether two references name the same origin: one cluster read (by its readAt), or one opened instance. */
export function sameOrigin(a: OriginRef, b: OriginRef): boolean {
  if (a.kind === 'snapshot') return b.kind === 'snapshot' && a.clusterId === b.clusterId && a.readAt === b.readAt;
  return b.kind === 'instance' && a.instanceId === b.instanceId;
}

/** Whether a plan on the wire left its origin out because the caller holds it. */
export function isOnHeldOrigin(plan: WirePlan): plan is PlanOnHeldOriginJson {
  return 'originRef' in plan;
}
