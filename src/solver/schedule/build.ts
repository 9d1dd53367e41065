import type { Constraint } from '../../catalogue/constraint.js';
import type { Model, NodeId, NodeState, ShareableResource, VmId, VmState } from '../../model/index.js';
import { VM_STATES, isVmTransitionAllowed } from '../../model/index.js';
import { JsonReadError } from '../../json/read.js';
import type { ActionKind, PlanEvent } from '../../plan/actions.js';
import { type Network, linkLabel, networkOf, switchLabel } from '../../plan/network.js';
import type { Target } from '../target.js';
import { addConstraintOrdering, parseConstraints, roomyThirdNode } from './constraints.js';
import {
  ALLOCATE,
  BOOT_NODE,
  BOOT_VM,
  type DurationLookup,
  FORGE_VM,
  KIND_NAMES,
  KILL_VM,
  MIGRATE,
  POOL_NODE_RC,
  POOL_SLOTS,
  Problem,
  type ProblemOptions,
  RESUME_VM,
  SHUTDOWN_NODE,
  SHUTDOWN_VM,
  SUSPEND_VM,
  type ScheduleFailure,
  failure,
} from './problem.js';

/**
 * Builds the scheduling problem from an origin, a target and the constraints: validates the
 * target (transitions, hosts, node states, capacities at the start and at the end), creates one
 * task per action with its bookings, and the ordering edges.
 */
export function buildProblem(
  origin: Model,
  target: Target,
  constraints: readonly Constraint[],
  durationOf: DurationLookup,
  options: ProblemOptions,
): Problem | ScheduleFailure {
  const p = new Problem(origin, target);
  const m = origin.mapping;
  let network: Network | undefined;
  try {
    network = networkOf(origin);
  } catch (e) {
    if (e instanceof JsonReadError) return failure(`the net view is malformed: ${e.message}`);
    throw e;
  }
  p.network = network;
  p.durationOf = durationOf;

  // ---- nodes
  for (const n of m.nodes()) {
    p.nodeIndex.set(n, p.nodeIds.length);
    p.nodeIds.push(n);
  }
  for (const [n, state] of target.nodes) {
    if (!p.nodeIndex.has(n)) return failure(`target.nodes: ${origin.nodeName(n)} is not in the model`, [], [n]);
    if (state !== 'online' && state !== 'offline') return failure(`target.nodes[${origin.nodeName(n)}]: unknown state '${String(state)}'`, [], [n]);
  }
  const finalState = (n: NodeId): NodeState | undefined => target.nodes.get(n) ?? m.nodeState(n);
  for (const n of p.nodeIds) {
    p.originOnline.push(m.isOnline(n));
    p.finalOnline.push(finalState(n) === 'online');
  }

  // ---- constraints
  const parsed = parseConstraints(constraints, origin);
  if ('ok' in parsed) return parsed;
  p.setBounceRuleSource(parsed.bounceRules);
  p.quarantined = parsed.quarantined;
  for (const c of parsed.online) {
    if (finalState(c.node) !== 'online') return failure(`${c.where}: online(${origin.nodeName(c.node)}) requires the node online at the end, yet the target has it offline`, [], [c.node]);
  }
  for (const c of parsed.offline) {
    if (finalState(c.node) !== 'offline') return failure(`${c.where}: offline(${origin.nodeName(c.node)}) requires the node offline at the end, yet the target has it online`, [], [c.node]);
  }

  // ---- pools: node resources, migration slots, groups
  const N = p.nodeIds.length;
  for (let i = 0; i < N; i++) {
    const node = p.nodeIds[i] as NodeId;
    for (let r = 0; r < p.R; r++) {
      const rc = p.rcs[r] as ShareableResource;
      const ratio = parsed.overbook.size === 0 ? 1 : (parsed.overbook.get(`${node}|${rc.id}`) ?? 1);
      p.addPool(Math.floor(rc.capacity(node) * ratio), POOL_NODE_RC, i * p.R + r);
    }
  }
  p.slotBase = p.cap.length;
  const k = options.maxConcurrentMigrationsPerHost;
  for (let i = 0; i < N; i++) p.addPool(k, POOL_SLOTS, i);
  const rcIndex = new Map(p.rcs.map((r, i) => [r.id, i]));
  for (const c of parsed.resourceCapacity) {
    const r = rcIndex.get(c.rc);
    if (r === undefined) return failure(`${c.where}: no resource '${c.rc}' in the model`);
    p.addGroupPool(c.amount, `resourceCapacity('${c.rc}' ≤ ${c.amount}) on ${describeNodes(origin, c.nodes)}`, c.nodes, r);
  }
  if (network) {
    // BtrPlace's CNetwork cumulatives: both directions of every link, every blocking switch
    p.linkPoolBase = p.cap.length;
    for (const l of network.links) {
      p.addGroupPool(l.capacity, `${linkLabel(origin, l, 'up')} (${l.capacity} Mbit/s)`, [], -1);
      p.addGroupPool(l.capacity, `${linkLabel(origin, l, 'down')} (${l.capacity} Mbit/s)`, [], -1);
    }
    for (const sw of network.switches) if (sw.blocking) p.switchPools.set(sw.id, p.addGroupPool(sw.capacity, `switch ${switchLabel(sw.id)} (${sw.capacity} Mbit/s)`, [], -1));
  }
  const onlineCountPools: { pool: number; nodes: NodeId[]; where: string; amount: number }[] = [];
  for (const c of parsed.maxOnline) {
    const pool = p.addGroupPool(c.amount, `maxOnline(${c.amount}) on ${describeNodes(origin, c.nodes)}`, c.nodes, -1);
    onlineCountPools.push({ pool, nodes: c.nodes, where: c.where, amount: c.amount });
  }
  for (const c of parsed.serialize) {
    const pool = p.addGroupPool(1, `serialize(${c.vms.map((v) => origin.vmName(v)).join(', ')})`, [], -1);
    for (const v of new Set(c.vms)) {
      let list = p.serializePools.get(v);
      if (!list) {
        list = [];
        p.serializePools.set(v, list);
      }
      list.push(pool);
    }
  }

  // ---- origin usage (no per-VM allocation: 100,000 VMs must cost little)
  for (let i = 0; i < N; i++) {
    const node = p.nodeIds[i] as NodeId;
    if (!m.isOnline(node)) continue;
    const running = m.runningVMs(node);
    for (let r = 0; r < p.R; r++) p.used[p.nodePool(i, r)] = (p.rcs[r] as ShareableResource).sumConsumption(running);
    for (const g of p.groupsOfNode.get(i) ?? []) {
      const add = g.rc < 0 ? 1 : (p.rcs[g.rc] as ShareableResource).sumConsumption(running);
      p.used[g.pool] = (p.used[g.pool] ?? 0) + add;
    }
  }
  for (const c of onlineCountPools) {
    const online = p.used[c.pool] ?? 0;
    if (online > c.amount) return failure(`${c.where}: maxOnline(${c.amount}) is violated from the start (${online} nodes online); a continuous maxOnline must hold initially`, [], c.nodes);
  }

  // ---- consumption entries
  const rcIds = new Set(p.rcs.map((r) => r.id));
  for (const [vm, byRc] of target.consumption) {
    for (const [rc, amount] of byRc) {
      // the location is worded only for a failure (thousands of entries)
      const where = (): string => `target.consumption[${origin.vmName(vm)}][${rc}]`;
      if (!rcIds.has(rc)) return failure(`${where()}: no resource '${rc}' in the model`, [vm]);
      if (!Number.isFinite(amount) || amount < 0) return failure(`${where()}: ${amount} is not a non-negative amount`, [vm]);
    }
  }

  const dur = (kind: ActionKind, element: number, move?: { src: NodeId; dst: NodeId }): number | ScheduleFailure => {
    const d = durationOf(kind, element, move);
    if (typeof d === 'string') return failure(d, kind === 'bootNode' || kind === 'shutdownNode' ? [] : [element], kind === 'bootNode' || kind === 'shutdownNode' ? [element] : []);
    if (!Number.isInteger(d) || d <= 0) {
      const name = kind === 'bootNode' || kind === 'shutdownNode' ? origin.nodeName(element) : origin.vmName(element);
      return failure(`the duration of ${kind} for ${name} is ${d}; it must be a positive whole number of seconds`);
    }
    return d;
  };

  // ---- VM transitions
  const arrivalsByNode = new Map<number, number[]>(); // node index → tasks bringing a VM there
  const leavesByNode = new Map<number, number[]>(); // node index → tasks removing a VM from it
  const stopsRunningOn = new Map<number, number[]>(); // node index → tasks ending a running VM there
  const push = (map: Map<number, number[]>, key: number, t: number): void => {
    const list = map.get(key);
    if (list) list.push(t);
    else map.set(key, [t]);
  };
  const hostIdx = (n: NodeId): number => p.nodeIndex.get(n) as number;

  for (const [vm, want] of target.vms) {
    const from: VmState = origin.vmState(vm);
    const to = want.state;
    // worded only for a failure (thousands of VMs move or boot on the big instances)
    const name = (): string => origin.vmName(vm);
    const where = (): string => `target.vms[${name()}]`;
    if (!VM_STATES.includes(to)) return failure(`${where()}: unknown state '${String(to)}'`, [vm]);
    if (!isVmTransitionAllowed(from, to)) return failure(`${where()}: ${name()} cannot go from ${from} to ${to}`, [vm]);
    const h0 = m.host(vm);
    const h1 = want.host;
    if (to === 'running' || to === 'sleeping') {
      if (h1 === null || h1 === undefined) return failure(`${where()}: a ${to} VM needs a host`, [vm]);
      if (!p.nodeIndex.has(h1)) return failure(`${where()}: ${origin.nodeName(h1)} is not in the model`, [vm], [h1]);
      if (finalState(h1) !== 'online') return failure(`${where()}: ${name()} would be ${to} on ${origin.nodeName(h1)}, which is offline at the end`, [vm], [h1]);
    } else if (h1 !== null && h1 !== undefined) {
      return failure(`${where()}: a ${to} VM has no host (got ${origin.nodeName(h1)})`, [vm], [h1]);
    }
    p.finalHost.set(vm, h1 ?? null);
    const wantsChange = target.consumption.has(vm);
    let t = -1;
    if (from === 'running' && to === 'running') {
      if (h0 === h1) continue; // staying: handled with the consumption changes below
      const d = dur('migrateVM', vm, { src: h0 as NodeId, dst: h1 as NodeId });
      if (typeof d !== 'number') return d;
      const a = hostIdx(h0 as NodeId);
      const b = hostIdx(h1 as NodeId);
      const route = p.route(a, b);
      if (typeof route === 'string') return failure(`the migration of ${name()} from ${origin.nodeName(h0 as NodeId)} to ${origin.nodeName(h1 as NodeId)}: ${route}`, [vm], [h0 as NodeId, h1 as NodeId]);
      if (route) {
        // A pool smaller than the path's bandwidth (a blocking switch reached through a
        // switch-to-switch link, which maxBW does not count) can never run it: BtrPlace finds no plan.
        for (const pool of p.networkPools(route)) {
          if ((p.cap[pool] as number) < route.bandwidth) {
            return failure(`the migration of ${name()} from ${origin.nodeName(h0 as NodeId)} to ${origin.nodeName(h1 as NodeId)} uses ${route.bandwidth} Mbit/s, more than ${p.poolLabel(pool)} allows: no schedule can run it`, [vm], [h0 as NodeId, h1 as NodeId]);
          }
        }
      }
      t = p.addTask(MIGRATE, vm, a, b, d);
      p.setMigrationBookings(t, vm, a, b, p.consBefore(vm), p.consAfter(vm));
      if (wantsChange) p.hooks.set(t, { pre: [], post: allocationEvents(p, vm) });
      push(arrivalsByNode, b, t);
      push(leavesByNode, a, t);
      push(stopsRunningOn, a, t);
      p.migrationCount++;
    } else if (from === 'running' && (to === 'ready' || to === 'killed' || to === 'sleeping')) {
      const a = hostIdx(h0 as NodeId);
      if (to === 'sleeping' && h1 !== h0) return failure(`${where()}: ${name()} can only be suspended on its own host ${origin.nodeName(h0 as NodeId)}`, [vm]);
      const kind = to === 'ready' ? SHUTDOWN_VM : to === 'killed' ? KILL_VM : SUSPEND_VM;
      const d = dur(KIND_NAMES[kind] as ActionKind, vm);
      if (typeof d !== 'number') return d;
      t = p.addTask(kind, vm, a, kind === SUSPEND_VM ? a : -1, d);
      p.releaseOnNode(t, a, p.consBefore(vm));
      push(stopsRunningOn, a, t);
      if (kind !== SUSPEND_VM) push(leavesByNode, a, t);
    } else if ((from === 'ready' || from === 'sleeping') && to === 'running') {
      const kind = from === 'ready' ? BOOT_VM : RESUME_VM;
      const d = dur(KIND_NAMES[kind] as ActionKind, vm);
      if (typeof d !== 'number') return d;
      const b = hostIdx(h1 as NodeId);
      const a = from === 'sleeping' ? hostIdx(h0 as NodeId) : -1;
      t = p.addTask(kind, vm, a, b, d);
      p.demandOnNode(t, b, p.consAfter(vm));
      if (wantsChange) p.hooks.set(t, { pre: allocationEvents(p, vm), post: [] });
      push(arrivalsByNode, b, t);
      if (a >= 0 && a !== b) push(leavesByNode, a, t);
    } else if (from === 'sleeping' && to === 'sleeping') {
      if (h1 !== h0) return failure(`${where()}: a sleeping VM cannot move (from ${origin.nodeName(h0 as NodeId)} to ${origin.nodeName(h1 as NodeId)})`, [vm]);
      continue;
    } else if (to === 'killed') {
      const d = dur('killVM', vm);
      if (typeof d !== 'number') return d;
      const a = h0 === undefined ? -1 : hostIdx(h0);
      t = p.addTask(KILL_VM, vm, a, -1, d);
      if (a >= 0) push(leavesByNode, a, t);
    } else if (from === 'init' && to === 'ready') {
      const d = dur('forgeVM', vm);
      if (typeof d !== 'number') return d;
      t = p.addTask(FORGE_VM, vm, -1, -1, d);
    } else {
      continue; // no change of state or host
    }
    p.weight[t] = p.weightOf(p.consBefore(vm));
    p.vmTask.set(vm, t);
  }

  // ---- staying VMs whose consumption changes
  for (const [vm, byRc] of target.consumption) {
    const want = target.vms.get(vm);
    const h0 = m.host(vm);
    const staysRunning = m.isRunning(vm) && (want === undefined || (want.state === 'running' && want.host === h0));
    if (!staysRunning) {
      const endsRunning = want ? want.state === 'running' : m.isRunning(vm);
      if (!endsRunning) return failure(`target.consumption[${origin.vmName(vm)}]: ${origin.vmName(vm)} does not run at the end`, [vm]);
      continue; // a moving or booting VM gets its new amounts through hooks
    }
    const a = hostIdx(h0 as NodeId);
    const before = p.consBefore(vm);
    for (let r = 0; r < p.R; r++) {
      const rc = p.rcs[r] as ShareableResource;
      const amount = byRc.get(rc.id);
      if (amount === undefined) continue;
      const delta = amount - (before[r] ?? 0);
      if (delta < 0) {
        // Decreasing demands are released at t=0 (BtrPlace: the staying VM's d-slice starts at 0).
        p.instantAllocations.push({ vm, node: h0 as NodeId, rc: rc.id, amount });
        p.used[p.nodePool(a, r)] = (p.used[p.nodePool(a, r)] ?? 0) + delta;
        for (const g of p.groupsOfNode.get(a) ?? []) if (g.rc === r) p.used[g.pool] = (p.used[g.pool] ?? 0) + delta;
      } else if (delta > 0) {
        // instantaneous, as in BtrPlace (CShareableResource#insertAllocateAction: st = ed; the
        // 'allocate' duration is never used) and in the exact model: it happens once there is room
        const t = p.addTask(ALLOCATE, vm, a, a, 0);
        const extra = new Float64Array(p.R);
        extra[r] = delta;
        p.demandOnNode(t, a, extra);
        p.allocation.set(t, { rc: rc.id, amount });
        p.weight[t] = delta;
      }
    }
  }

  // ---- node transitions
  for (const [node, state] of target.nodes) {
    const i = hostIdx(node);
    if (state === 'online' && m.isOffline(node)) {
      const d = dur('bootNode', node);
      if (typeof d !== 'number') return d;
      const t = p.addTask(BOOT_NODE, -1, -1, i, d);
      for (const g of p.groupsOfNode.get(i) ?? []) if (g.rc < 0) p.demand(t, g.pool, 1);
      for (const arrival of arrivalsByNode.get(i) ?? []) p.edge(t, arrival);
    } else if (state === 'offline' && m.isOnline(node)) {
      const leaving = new Set(leavesByNode.get(i) ?? []);
      const stays: VmId[] = [];
      for (const v of [...m.runningVMs(node), ...m.sleepingVMs(node)]) {
        const task = p.vmTask.get(v);
        if (task === undefined || !leaving.has(task)) stays.push(v);
      }
      if (stays.length > 0) {
        return failure(
          `target.nodes[${origin.nodeName(node)}]: the node goes offline but ${stays.slice(0, 5).map((v) => origin.vmName(v)).join(', ')}${stays.length > 5 ? ` and ${stays.length - 5} more` : ''} would still be on it`,
          stays,
          [node],
        );
      }
      const d = dur('shutdownNode', node);
      if (typeof d !== 'number') return d;
      const t = p.addTask(SHUTDOWN_NODE, -1, i, -1, d);
      for (const g of p.groupsOfNode.get(i) ?? []) if (g.rc < 0) p.release(t, g.pool, 1);
      for (const leave of leaving) p.edge(leave, t);
    }
  }

  // ---- capacities must hold at the start (after the t=0 releases) and at the end
  const net = p.used.slice();
  for (let t = 0; t < p.kind.length; t++) {
    for (let j = p.demFrom[t] as number; j < (p.demTo[t] as number); j++) net[p.demPool[j] as number] = (net[p.demPool[j] as number] ?? 0) + (p.demAmt[j] as number);
    for (let j = p.relFrom[t] as number; j < (p.relTo[t] as number); j++) net[p.relPool[j] as number] = (net[p.relPool[j] as number] ?? 0) - (p.relAmt[j] as number);
  }
  for (let pool = 0; pool < p.cap.length; pool++) {
    const capacity = p.cap[pool] as number;
    if ((p.used[pool] as number) <= capacity && (net[pool] as number) <= capacity + 1e-9) continue;
    const node = p.poolNode(pool);
    const nodes = node === undefined ? [] : [node];
    if ((p.used[pool] as number) > capacity) {
      return failure(`${p.poolLabel(pool)} is over capacity from the start (${p.used[pool]} > ${capacity}); no plan can keep every instant within capacity`, [], nodes);
    }
    return failure(`the target overloads ${p.poolLabel(pool)} (${net[pool]} > ${capacity})`, [], nodes);
  }

  // ---- ordering constraints
  const built = addConstraintOrdering(p, parsed, { arrivalsByNode, stopsRunningOn }, options);
  if (built) return built;
  for (const g of onlineCountPools) bounceAheadOfBoots(p, g);
  return p;
}

/**
 * A continuous maxOnline set full at the start: its nodes boot only after some of its nodes
 * power off, and a node powers off only once every VM has left it. A VM leaving such a node for
 * a booting node of the set waits for that boot: when every node of the set that powers off has
 * one, no order exists (the boot waits for a shutdown that waits for the boot). The VMs of the
 * lightest of those nodes go through a third node first, online now and at the end with room
 * (src → via, then via → dst once the node has booted), so that node can power off at once; when
 * no such node has room, through a node the plan boots outside the set, once it is up.
 */
function bounceAheadOfBoots(p: Problem, g: { readonly pool: number; readonly nodes: readonly NodeId[] }): void {
  if ((p.used[g.pool] as number) < (p.cap[g.pool] as number)) return;
  const members = new Set(g.nodes.map((n) => p.nodeIndex.get(n)).filter((i): i is number => i !== undefined));
  const bootOf = new Map<number, number>();
  const goesOff = new Set<number>();
  for (let t = 0; t < p.kind.length; t++) {
    if (p.kind[t] === BOOT_NODE && members.has(p.dst[t] as number)) bootOf.set(p.dst[t] as number, t);
    if (p.kind[t] === SHUTDOWN_NODE && members.has(p.src[t] as number)) goesOff.add(p.src[t] as number);
  }
  if (bootOf.size === 0 || goesOff.size === 0) return;
  const gated = new Map<number, number[]>(); // node powering off → its migrations into a booting node of the set
  for (let t = 0; t < p.kind.length; t++) {
    if (p.kind[t] !== MIGRATE || !goesOff.has(p.src[t] as number) || !bootOf.has(p.dst[t] as number) || p.lastLeg.has(p.vm[t] as number)) continue;
    const list = gated.get(p.src[t] as number);
    if (list) list.push(t);
    else gated.set(p.src[t] as number, [t]);
  }
  // a node of the set may power off without waiting for a boot: that boot can come after it
  if ([...goesOff].some((n) => !gated.has(n))) return;
  const weightOf = (ts: readonly number[]): number => ts.reduce((s, t) => s + (p.weight[t] as number), 0);
  const [, lightest] = [...gated].reduce((a, b) => (weightOf(b[1]) < weightOf(a[1]) ? b : a));
  const reserved = new Map<number, Float64Array>(); // booting third node → room its bounces take
  const boots = new Map<number, number>(); // every node the plan boots → its boot task
  for (let t = 0; t < p.kind.length; t++) if (p.kind[t] === BOOT_NODE && (p.dst[t] as number) >= 0) boots.set(p.dst[t] as number, t);
  for (const t of lightest) {
    const vm = p.vm[t] as number;
    let via = roomyThirdNode(p, t);
    let viaBoot = -1;
    if (via < 0) {
      via = bootingThirdNode(p, t, g.pool, boots, reserved);
      if (via < 0) continue;
      viaBoot = boots.get(via) as number;
      const held = reserved.get(via) ?? new Float64Array(p.R);
      const cons = p.consBefore(vm);
      for (let r = 0; r < p.R; r++) held[r] = (held[r] as number) + (cons[r] as number);
      reserved.set(via, held);
    }
    const boot = bootOf.get(p.dst[t] as number) as number;
    const leg = p.bounce(t, via);
    p.edge(t, leg);
    // a booting third node takes the VM once it is up
    if (viaBoot >= 0) p.edge(viaBoot, t);
    // the boot now holds back the second leg, not the first
    for (let e = 0; e < p.edgeFrom.length; e++) if (p.edgeFrom[e] === boot && p.edgeTo[e] === t) p.edgeTo[e] = leg;
    p.lastLeg.set(vm, leg);
    p.plannedBounces.push({ vm, via: p.nodeIds[via] as NodeId });
  }
}


/**
 * When no node online now has room: a node the plan boots that is not in the full set (its boot
 * does not wait for the shutdown the bounce makes possible) and has room for `t`'s VM beside
 * every VM the source node sends it (they must arrive before the source can power off) and the
 * bounces already routed there. Most room first; -1 when none. `boots`: node index → boot task.
 */
function bootingThirdNode(p: Problem, t: number, setPool: number, boots: ReadonlyMap<number, number>, reserved: ReadonlyMap<number, Float64Array>): number {
  const a = p.src[t] as number;
  // what the source sends to each booting node (one pass over the tasks)
  const incoming = new Map<number, Float64Array>();
  for (let x = 0; x < p.kind.length; x++) {
    const c = p.dst[x] as number;
    if (p.kind[x] !== MIGRATE || p.src[x] !== a || !boots.has(c)) continue;
    const sum = incoming.get(c) ?? new Float64Array(p.R);
    const after = p.consAfter(p.vm[x] as number);
    for (let r = 0; r < p.R; r++) sum[r] = (sum[r] as number) + (after[r] as number);
    incoming.set(c, sum);
  }
  return roomyThirdNode(p, t, {
    among: boots.keys(),
    admits: (c) => !p.originOnline[c] && !(p.groupsOfNode.get(c) ?? []).some((x) => x.pool === setPool),
    taken: (c, r) => (incoming.get(c)?.[r] ?? 0) + (reserved.get(c)?.[r] ?? 0),
  });
}

function allocationEvents(p: Problem, vm: VmId): PlanEvent[] {
  const before = p.consBefore(vm);
  const after = p.consAfter(vm);
  const events: PlanEvent[] = [];
  for (let r = 0; r < p.R; r++) {
    if (before[r] !== after[r]) events.push({ kind: 'allocateEvent', vm, rc: (p.rcs[r] as ShareableResource).id, amount: after[r] as number });
  }
  return events;
}

function describeNodes(model: Model, nodes: readonly NodeId[]): string {
  const names = nodes.slice(0, 4).map((n) => model.nodeName(n));
  return `{${names.join(', ')}${nodes.length > 4 ? `, … ${nodes.length} nodes` : ''}}`;
}
