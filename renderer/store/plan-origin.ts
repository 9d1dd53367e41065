import type { PlanResultWire } from '../../src/contract/events.js';
import { isOnHeldOrigin, sameOrigin } from '../../src/contract/origin-ref.js';
import type { JsonObject, OriginRef, PlanJson } from '../../src/contract/wire.js';
import type { ClusterSource } from './cluster.js';
import type { ClusterSnapshot } from '../../src/contract/wire.js';

/**
 * The origin this page holds for its source, so that plan:compute answers without it: a
 * 40,000-VM cluster's model is 2 MB that would travel back, be checked against the contract and
 * decoded again for every what-if. The answer names it (`originRef`) and the page puts its own
 * copy back: the plan views always see a whole plan.
 */

export interface HeldOrigin {
  readonly ref: OriginRef;
  /** The model's JSON, as the page got it (cluster:snapshot, or the file it opened). */
  readonly model: JsonObject;
}

/** A plan:compute result with its plan whole (or none). */
export type ShownResult = Omit<PlanResultWire, 'plan'> & { readonly plan: PlanJson | null };

/** What the page holds of its source: the snapshot it shows, or the file the main process keeps. */
export function heldOriginOf(source: ClusterSource, snapshot: ClusterSnapshot | null): HeldOrigin | null {
  if (source.kind === 'cluster') {
    if (snapshot === null || snapshot.clusterId !== source.clusterId) return null;
    return { ref: { kind: 'snapshot', clusterId: snapshot.clusterId, readAt: snapshot.readAt }, model: snapshot.instance.model };
  }
  return source.instanceId === null ? null : { ref: { kind: 'instance', instanceId: source.instanceId }, model: source.instance.model };
}

/** The result with its plan's origin put back; an error when it names an origin this page did not hold. */
export function shownResult(result: PlanResultWire, held: HeldOrigin | null): { readonly ok: true; readonly result: ShownResult } | { readonly ok: false; readonly message: string } {
  const plan = result.plan;
  if (plan === null || !isOnHeldOrigin(plan)) return { ok: true, result: { ...result, plan } };
  if (held === null || !sameOrigin(plan.originRef, held.ref)) return { ok: false, message: 'the plan came without its origin, which this page does not hold: compute it again' };
  return { ok: true, result: { ...result, plan: { origin: held.model, actions: plan.actions } } };
}
