import type { BounceRule, NodeGroups, ScheduleSink } from '../../catalogue/faces/index.js';
import type { Model, NodeId, VmId } from '../../model/index.js';
import type { ParsedConstraints } from './constraints.js';

/**
 * Where the scheduling faces state their orderings (`ScheduleSink`), collected into the
 * `ParsedConstraints` the scheduler reads; argument arrays are kept, not copied (the scheduler only
 * reads them, and the TDSC files hold thousands). Bounce rules are recorded in constraint order and built
 * only when first asked for: most plans never bounce, and the TDSC files would otherwise build one
 * rule per VM of 30,000 (continuous among, spread).
 */
export class OrderSink implements ScheduleSink {
  where = '';
  readonly parsed: ParsedConstraints;
  private readonly deferred: ((add: (vm: VmId, rule: BounceRule) => void) => void)[] = [];
  private built: Map<VmId, BounceRule[]> | undefined;
  /** Groups of nodes indexed once per arguments array (TDSC: 1,722 among over one partition). */
  private readonly groups = new Map<readonly (readonly NodeId[])[], NodeGroups>();

  constructor(readonly model: Model) {
    this.parsed = {
      overbook: new Map(),
      resourceCapacity: [],
      maxOnline: [],
      serialize: [],
      sync: [],
      seq: [],
      precedence: [],
      deadline: [],
      noDelay: [],
      spread: [],
      lonely: [],
      split: [],
      online: [],
      offline: [],
      bounceRules: () => this.bounceRules(),
      quarantined: new Set(),
    };
  }

  overbook(node: NodeId, rc: string, ratio: number): void {
    const key = `${node}|${rc}`;
    this.parsed.overbook.set(key, Math.min(this.parsed.overbook.get(key) ?? Infinity, ratio));
  }
  resourceCapacity(nodes: readonly NodeId[], rc: string, amount: number): void {
    this.parsed.resourceCapacity.push({ nodes: nodes as NodeId[], rc, amount, where: this.where });
  }
  maxOnline(nodes: readonly NodeId[], amount: number): void {
    this.parsed.maxOnline.push({ nodes: nodes as NodeId[], amount, where: this.where });
  }
  serialize(vms: readonly VmId[]): void {
    this.parsed.serialize.push({ vms: vms as VmId[] });
  }
  sync(vms: readonly VmId[]): void {
    this.parsed.sync.push({ vms: vms as VmId[] });
  }
  seq(vms: readonly VmId[]): void {
    this.parsed.seq.push({ vms: vms as VmId[] });
  }
  precedence(before: VmId, after: VmId): void {
    this.parsed.precedence.push({ before, after, where: this.where });
  }
  deadline(vm: VmId, timestamp: string): void {
    this.parsed.deadline.push({ vm, timestamp, where: this.where });
  }
  noDelay(vm: VmId): void {
    this.parsed.noDelay.push(vm);
  }
  spread(vms: readonly VmId[]): void {
    this.parsed.spread.push(vms as VmId[]);
  }
  lonely(vms: readonly VmId[]): void {
    this.parsed.lonely.push(vms as VmId[]);
  }
  split(groups: readonly (readonly VmId[])[]): void {
    this.parsed.split.push(groups as VmId[][]);
  }
  online(node: NodeId): void {
    this.parsed.online.push({ node, where: this.where });
  }
  offline(node: NodeId): void {
    this.parsed.offline.push({ node, where: this.where });
  }
  quarantine(node: NodeId): void {
    this.parsed.quarantined.add(node);
  }
  bounce(rules: (add: (vm: VmId, rule: BounceRule) => void) => void): void {
    this.deferred.push(rules);
  }

  nodeGroups(parts: readonly (readonly NodeId[])[]): NodeGroups {
    const known = this.groups.get(parts);
    if (known) return known;
    const groupOf = new Map<NodeId, number>();
    // the first group holding a node wins (as a search in order would)
    parts.forEach((group, g) => {
      for (const n of group) if (!groupOf.has(n)) groupOf.set(n, g);
    });
    const sets: (ReadonlySet<NodeId> | undefined)[] = [];
    const index: NodeGroups = { groupOf, set: (g) => (sets[g] ??= new Set(parts[g])) };
    this.groups.set(parts, index);
    return index;
  }

  private bounceRules(): Map<VmId, BounceRule[]> {
    if (this.built) return this.built;
    const map = new Map<VmId, BounceRule[]>();
    const add = (vm: VmId, r: BounceRule): void => {
      const list = map.get(vm);
      if (list) list.push(r);
      else map.set(vm, [r]);
    };
    for (const d of this.deferred) d(add);
    this.deferred.length = 0;
    this.built = map;
    return map;
  }
}
