import type { Instance } from '../instance/instance.js';
import { JsonReadError } from '../json/read.js';
import type { Model, NodeId, VmId } from '../model/index.js';
import type { MigrateVM } from '../plan/actions.js';
import { formatTime } from '../plan/format.js';
import { type LinkDirection, type NetLink, type NetSwitch, UNLIMITED_CAPACITY, linkLabel, networkOf, switchLabel } from '../plan/network.js';
import type { Plan } from '../plan/plan.js';
import type { Violation } from './plan-checker.js';
import { span } from './wording.js';

/**
 * The network rule of the plan checker, for instances whose model has a `net` view
 * (src/plan/network.ts): at every instant, the migrations crossing a link in one direction use at
 * most its bandwidth, and those touching a blocking switch at most its capacity (BtrPlace's
 * CNetwork cumulatives, which its own plan checker never re-verifies). A migration uses its `bw`
 * when the plan gives one, else the path's maxBW (what BtrPlace gives it), over `[start, end)`:
 * one ending at t and another starting at t never overlap. Links and switches of unlimited
 * capacity (a negative capacity in the JSON) are not checked.
 *
 * Not checked, deliberately: that a migration lasts at least its network duration. BtrPlace's
 * checker does not either, the formula is an estimate (memUsed, dirty pages) and a plan may carry
 * measured or operator-given durations; what can break the network is the bandwidth in use at
 * once, which is checked.
 *
 * Also reported: a malformed `net` view and a migration between two nodes the routing cannot join.
 */

export const CORE_NETWORK = 'core: network';

interface Use {
  readonly action: MigrateVM;
  readonly bw: number;
}

interface Resource {
  readonly label: string;
  readonly capacity: number;
  readonly uses: Use[];
  readonly nodes: NodeId[];
}

export function checkNetwork(instance: Instance, plan: Plan): Violation[] {
  const model = instance.model;
  let network;
  try {
    network = networkOf(model);
  } catch (e) {
    if (!(e instanceof JsonReadError)) throw e;
    return [{ rule: CORE_NETWORK, from: 0, to: null, message: `${CORE_NETWORK}: the net view is malformed: ${e.message}`, actions: [], vms: [], nodes: [] }];
  }
  if (!network) return [];
  const violations: Violation[] = [];
  const resources = new Map<string, Resource>();
  const resourceOf = (key: string, label: string, capacity: number, nodes: NodeId[]): Resource => {
    let r = resources.get(key);
    if (!r) {
      r = { label, capacity, uses: [], nodes };
      resources.set(key, r);
    }
    return r;
  };
  const linkNodes = (l: NetLink): NodeId[] => (l.element.type === 'node' ? [l.element.id] : []);
  for (const a of plan.actions) {
    if (a.kind !== 'migrateVM' || a.from === a.to) continue;
    const route = network.route(a.from, a.to);
    if (typeof route === 'string') {
      violations.push({
        rule: CORE_NETWORK,
        from: a.start,
        to: a.end,
        message: `${CORE_NETWORK}: ${model.vmName(a.vm)} migrates from ${model.nodeName(a.from)} to ${model.nodeName(a.to)} ${span(a.start, a.end)}, but ${route}`,
        actions: [a],
        vms: [a.vm],
        nodes: [a.from, a.to],
      });
      continue;
    }
    if (a.end <= a.start) continue;
    const bw = a.bw ?? route.bandwidth;
    for (const h of route.hops) {
      if (h.link.capacity === UNLIMITED_CAPACITY) continue;
      resourceOf(linkKey(h.link, h.direction), linkLabel(model, h.link, h.direction), h.link.capacity, linkNodes(h.link)).uses.push({ action: a, bw });
    }
    for (const s of route.switches) resourceOf(`s${s.id}`, switchText(s), s.capacity, []).uses.push({ action: a, bw });
  }
  for (const r of resources.values()) violations.push(...overloads(model, r));
  return violations;
}

function linkKey(l: NetLink, d: LinkDirection): string {
  return `l${l.index}${d}`;
}

function switchText(s: NetSwitch): string {
  return `switch ${switchLabel(s.id)}`;
}

/** The maximal intervals over which the uses of `r` exceed its capacity. */
function overloads(model: Model, r: Resource): Violation[] {
  let total = 0;
  for (const u of r.uses) total += u.bw;
  if (total <= r.capacity) return [];
  // ends before starts at one instant: [start, end) intervals
  const events: { at: number; delta: number; use: Use }[] = [];
  for (const u of r.uses) {
    events.push({ at: u.action.start, delta: u.bw, use: u });
    events.push({ at: u.action.end, delta: -u.bw, use: u });
  }
  events.sort((x, y) => x.at - y.at || x.delta - y.delta);
  const out: Violation[] = [];
  const active = new Set<Use>();
  let used = 0;
  let open: { from: number; peak: number; involved: Set<Use> } | undefined;
  for (let i = 0; i < events.length; ) {
    const at = (events[i] as { at: number }).at;
    for (; i < events.length && (events[i] as { at: number }).at === at; i++) {
      const e = events[i] as { delta: number; use: Use };
      used += e.delta;
      if (e.delta > 0) active.add(e.use);
      else active.delete(e.use);
    }
    if (used > r.capacity) {
      if (!open) open = { from: at, peak: used, involved: new Set() };
      open.peak = Math.max(open.peak, used);
      for (const u of active) open.involved.add(u);
    } else if (open) {
      out.push(violation(model, r, open.from, at, open.peak, [...open.involved]));
      open = undefined;
    }
  }
  return out;
}

function violation(model: Model, r: Resource, from: number, to: number, peak: number, uses: Use[]): Violation {
  uses.sort((a, b) => a.action.start - b.action.start || a.action.vm - b.action.vm);
  const shown = uses.slice(0, 6).map((u) => `migrate ${model.vmName(u.action.vm)} ${model.nodeName(u.action.from)}→${model.nodeName(u.action.to)}`);
  const more = uses.length > shown.length ? `, and ${uses.length - shown.length} more` : '';
  const when = to === from ? `at ${formatTime(from)}` : `from ${formatTime(from)} to ${formatTime(to)}`;
  const vms: VmId[] = [...new Set(uses.map((u) => u.action.vm))];
  const nodes: NodeId[] = [...new Set([...r.nodes, ...uses.flatMap((u) => [u.action.from, u.action.to])])];
  return {
    rule: CORE_NETWORK,
    from,
    to,
    message: `${CORE_NETWORK}: ${r.label} over capacity ${when}: ${peak} Mbit/s used, ${r.capacity} available (${shown.join(', ')}${more})`,
    actions: uses.map((u) => u.action),
    vms,
    nodes,
  };
}
