// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PlanResultWire } from '../../../src/contract/events.js';
import type { ClusterSnapshot, PlanJson } from '../../../src/contract/wire.js';
import { digestPlan } from '../../../renderer/plan-view/plan-digest.js';
import { decodedPlanOf, keepOrigin, originKeyOf } from '../../../renderer/plan-view/plan-model.js';
import { heldOriginOf, shownResult } from '../../../renderer/store/plan-origin.js';
import { type RendererHarness, openHarness, until } from '../support/services.js';

/**
 * A plan answered without its origin (the page holds it): the store puts its own copy back, and
 * the digest decodes an origin once for every plan on it.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = readFileSync(join(ROOT, 'examples', 'demo-maintenance.btrp'), 'utf8');

let h: RendererHarness;
beforeEach(() => {
  window.location.hash = '';
  h = openHarness();
});
afterEach(() => h.close());

describe('the store asks for plans without the origin it holds', () => {
  it('on the cluster: the plan shown is on the very snapshot the page holds', async () => {
    const s = () => h.store.getState();
    await s().loadSnapshot();
    const snapshot = s().snapshot as ClusterSnapshot;
    s().setScript(SCRIPT);
    await s().computePlan();
    expect(s().planError).toBeNull();
    const plan = s().currentPlan?.result.plan;
    if (!plan) throw new Error('the demo script has a plan');
    // identity, not equality: the origin did not travel (a JSON round trip makes a new object)
    expect(plan.origin).toBe(snapshot.instance.model);
    expect(plan.actions.length).toBe(s().currentPlan?.result.stepIds.length);
  });

  it('on an opened file: the plan is on the file the page read, once the main process keeps it', async () => {
    const s = () => h.store.getState();
    const snapshot = (await h.client.invoke('cluster:snapshot', { clusterId: 'demo' })) as { ok: true; value: ClusterSnapshot };
    expect(s().openInstanceText('demo.json', JSON.stringify(snapshot.value.instance))).toBe(true);
    await until(() => s().source.kind === 'file' && (s().source as { instanceId: string | null }).instanceId !== null, 'the main process to keep the file');
    s().setScript(SCRIPT);
    await s().computePlan();
    const source = s().source;
    if (source.kind !== 'file') throw new Error('a file is open');
    expect(s().currentPlan?.result.plan?.origin).toBe(source.instance.model);
  });
});

describe('shownResult and heldOriginOf', () => {
  const result = (plan: PlanResultWire['plan']): PlanResultWire => ({
    status: 'optimal', plan, stepIds: plan ? plan.actions.map((_a, i) => `s${i + 1}`) : [], objective: 0, lowerBoundCovers: null, lowerBound: 0, gap: 0,
    durationSeconds: 0, durationLowerBound: 0, migrations: 0, migrationsLowerBound: 0, memoryMovedMiB: 0, solveMs: 1, explanation: [], notes: [],
  });
  const model = { mapping: { readyVMs: [], onlineNodes: {}, offlineNodes: [] }, attributes: { nodes: {}, vms: {} }, views: [] };

  it('puts back the origin held under the same name, refuses one not held, passes a whole plan through', () => {
    const held = { ref: { kind: 'instance', instanceId: 'i1' } as const, model };
    const lean = shownResult(result({ originRef: { kind: 'instance', instanceId: 'i1' }, actions: [] }), held);
    expect(lean.ok && lean.result.plan?.origin).toBe(model);
    expect(shownResult(result({ originRef: { kind: 'instance', instanceId: 'i2' }, actions: [] }), held)).toMatchObject({ ok: false });
    expect(shownResult(result({ originRef: { kind: 'snapshot', clusterId: 'demo', readAt: 1 } , actions: [] }), null)).toMatchObject({ ok: false });
    const whole: PlanJson = { origin: { other: 1 }, actions: [] };
    const passed = shownResult(result(whole), held);
    expect(passed.ok && passed.result.plan).toBe(whole);
    expect(shownResult(result(null), null)).toMatchObject({ ok: true, result: { plan: null } });
  });

  it('holds the snapshot of the source cluster only, and a file once the main process keeps it', () => {
    const snapshot = { clusterId: 'demo', readAt: 7, instance: { model, constraints: [], objective: { id: 'minimizeMTTR' } }, hosts: [], jobs: {} } as ClusterSnapshot;
    expect(heldOriginOf({ kind: 'cluster', clusterId: 'demo' }, snapshot)?.ref).toEqual({ kind: 'snapshot', clusterId: 'demo', readAt: 7 });
    expect(heldOriginOf({ kind: 'cluster', clusterId: 'other' }, snapshot)).toBeNull();
    expect(heldOriginOf({ kind: 'cluster', clusterId: 'demo' }, null)).toBeNull();
    const file = { kind: 'file', fileName: 'f.json', instance: snapshot.instance, instanceId: null } as const;
    expect(heldOriginOf(file, null)).toBeNull();
    expect(heldOriginOf({ ...file, instanceId: 'i9' }, null)).toEqual({ ref: { kind: 'instance', instanceId: 'i9' }, model });
  });
});

describe('an origin decoded once for the plans on it', () => {
  it('two plans on one origin key share the decoded model; the digest of a lean plan equals the whole one', async () => {
    const reply = await h.client.invoke('cluster:snapshot', { clusterId: 'demo' });
    if (!reply.ok) throw new Error(reply.error.message);
    const origin = reply.value.instance.model;
    const computed = await h.client.invoke('plan:compute', { clusterId: 'demo', requestId: 'k1', script: { text: SCRIPT } });
    if (!computed.ok || computed.value.kind !== 'result' || computed.value.result.plan === null || 'originRef' in computed.value.result.plan) throw new Error('a whole plan');
    const plan = computed.value.result.plan;
    const stepIds = computed.value.result.stepIds;
    const key = originKeyOf(origin);
    expect(originKeyOf(origin)).toBe(key);
    expect(originKeyOf({ ...origin })).not.toBe(key);
    const a = decodedPlanOf({ plan: { origin, actions: plan.actions }, stepIds }, key);
    const b = decodedPlanOf({ plan: { actions: plan.actions }, stepIds }, key);
    if (!a?.ok || !b?.ok) throw new Error('both decode');
    expect(b.plan.origin).toBe(a.plan.origin);
    // as the worker gets it: the actions and the key, the origin kept from before
    keepOrigin('w-key', origin);
    const lean = digestPlan({ result: { plan: { actions: plan.actions }, stepIds }, originKey: 'w-key', script: SCRIPT, constraints: [] });
    const full = digestPlan({ result: { plan, stepIds }, script: SCRIPT, constraints: [] });
    expect(lean).toEqual(full);
    expect(digestPlan({ result: { plan: { actions: plan.actions }, stepIds }, originKey: 'never-kept', script: '', constraints: [] })).toMatchObject({ ok: false });
  });
});
