import type { Constraint } from '../catalogue/constraint.js';
import type { Instance } from '../instance/instance.js';
import { Mapping, Model, NamingService, ShareableResource } from '../model/index.js';
import { firstFitDecreasing } from './placement/ffd.js';
import { initialRepair, reduce } from './problem.js';
import { Random } from './random.js';

/**
 * Generated instances for tests and the benchmark (pure, seeded): realistic repair scenarios
 * (a rack drained for maintenance, anti-affinity groups, 60–80 % load) and TIGHT ones (about
 * 95 % load) built from a known feasible packing, then fragmented by moving VMs onto the rack to drain,
 * so a plan is certain (send them back: exactly the lower bound) while first-fit-decreasing fails.
 * Resources: `cpu` (cores) and `mem` (MiB).
 */

export interface GenerateOptions {
  readonly nodes: number;
  readonly seed?: number;
  /** Target load of cpu, as a share of capacity (default 0.7); each node gets ±0.1 around it. */
  readonly load?: number;
  /** Nodes per rack (default 16); one rack (at least one node) is drained. */
  readonly rackSize?: number;
  /** Share of the VMs in anti-affinity (spread) groups of 2–4 (default 0.1). */
  readonly spreadShare?: number;
  /** Share of the VMs banned from one random node (default 0.01). */
  readonly banShare?: number;
}

interface VmSize {
  readonly cpu: number;
  readonly memGiB: number;
  readonly weight: number;
}

/** 2c/4G .. 16c/128G, small ones most frequent (about 8 VMs per 64-core host at 70 %). */
export const VM_MIX: readonly VmSize[] = [
  { cpu: 2, memGiB: 4, weight: 30 },
  { cpu: 4, memGiB: 8, weight: 25 },
  { cpu: 4, memGiB: 16, weight: 15 },
  { cpu: 8, memGiB: 32, weight: 15 },
  { cpu: 8, memGiB: 64, weight: 7 },
  { cpu: 16, memGiB: 64, weight: 5 },
  { cpu: 16, memGiB: 128, weight: 3 },
];

/** Host models: cores and GiB. */
const HOSTS: readonly { cpu: number; memGiB: number; weight: number }[] = [
  { cpu: 64, memGiB: 256, weight: 50 },
  { cpu: 64, memGiB: 512, weight: 35 },
  { cpu: 96, memGiB: 512, weight: 15 },
];

function weighted<T extends { weight: number }>(rng: Random, items: readonly T[]): T {
  let total = 0;
  for (const i of items) total += i.weight;
  let x = rng.next() * total;
  for (const i of items) {
    x -= i.weight;
    if (x < 0) return i;
  }
  return items[items.length - 1] as T;
}

class Builder {
  readonly mapping = new Mapping();
  readonly cpu = new ShareableResource('cpu', 0, 0);
  readonly mem = new ShareableResource('mem', 0, 0);
  readonly vmNames = new NamingService('vm');
  readonly nodeNames = new NamingService('node');
  readonly usedCpu: number[] = [];
  readonly usedMem: number[] = [];
  readonly constraints: Constraint[] = [];
  private nextVm = 0;

  addNode(cpu: number, memGiB: number): number {
    const n = this.usedCpu.length;
    this.mapping.addOnlineNode(n);
    this.cpu.setCapacity(n, cpu);
    this.mem.setCapacity(n, memGiB * 1024);
    this.nodeNames.register(`N${n + 1}`, n);
    this.usedCpu.push(0);
    this.usedMem.push(0);
    return n;
  }
  fits(n: number, size: VmSize): boolean {
    return (this.usedCpu[n] ?? 0) + size.cpu <= this.cpu.capacity(n) && (this.usedMem[n] ?? 0) + size.memGiB * 1024 <= this.mem.capacity(n);
  }
  addVm(n: number, size: VmSize): number {
    const v = this.nextVm++;
    this.mapping.addRunningVM(v, n);
    this.cpu.setConsumption(v, size.cpu);
    this.mem.setConsumption(v, size.memGiB * 1024);
    this.vmNames.register(`VM${v + 1}`, v);
    this.usedCpu[n] = (this.usedCpu[n] ?? 0) + size.cpu;
    this.usedMem[n] = (this.usedMem[n] ?? 0) + size.memGiB * 1024;
    return v;
  }
  moveVm(v: number, from: number, to: number): void {
    const c = this.cpu.consumption(v);
    const m = this.mem.consumption(v);
    this.mapping.addRunningVM(v, to);
    this.usedCpu[from] = (this.usedCpu[from] ?? 0) - c;
    this.usedMem[from] = (this.usedMem[from] ?? 0) - m;
    this.usedCpu[to] = (this.usedCpu[to] ?? 0) + c;
    this.usedMem[to] = (this.usedMem[to] ?? 0) + m;
  }
  instance(): Instance {
    const model = new Model({ mapping: this.mapping, resources: [this.cpu, this.mem], vmNames: this.vmNames, nodeNames: this.nodeNames });
    return { model, constraints: this.constraints, objective: { id: 'minimizeMTTR' } };
  }
}

/** A realistic repair scenario: 60–80 % load, one rack drained, anti-affinity groups, a few bans. */
export function generateCluster(options: GenerateOptions): Instance {
  const rng = new Random(options.seed ?? 1);
  const b = new Builder();
  const load = options.load ?? 0.7;
  const rackSize = Math.max(1, Math.min(options.rackSize ?? 16, Math.floor(options.nodes / 4) || 1));
  for (let i = 0; i < options.nodes; i++) {
    const h = weighted(rng, HOSTS);
    b.addNode(h.cpu, h.memGiB);
  }
  // fill every node to its own target load with random VMs
  const byNode: number[][] = Array.from({ length: options.nodes }, () => []);
  for (let n = 0; n < options.nodes; n++) {
    const target = Math.min(0.95, Math.max(0.3, load + (rng.next() - 0.5) * 0.2)) * b.cpu.capacity(n);
    for (let tries = 0; tries < 40 && (b.usedCpu[n] ?? 0) < target; tries++) {
      const size = weighted(rng, VM_MIX);
      if ((b.usedCpu[n] ?? 0) + size.cpu > target + 1 || !b.fits(n, size)) continue;
      byNode[n]?.push(b.addVm(n, size));
    }
  }
  // anti-affinity groups: VMs on distinct nodes
  const vmCount = b.mapping.vmCount();
  const groups = Math.floor((vmCount * (options.spreadShare ?? 0.1)) / 3);
  for (let g = 0; g < groups; g++) {
    const size = rng.int(2, 4);
    const nodes = new Set<number>();
    const vms: number[] = [];
    for (let t = 0; t < size * 4 && vms.length < size; t++) {
      const n = rng.int(0, options.nodes - 1);
      const list = byNode[n] ?? [];
      if (nodes.has(n) || list.length === 0) continue;
      nodes.add(n);
      vms.push(rng.pick(list));
    }
    if (vms.length >= 2) b.constraints.push({ id: 'spread', continuous: true, args: { vms } });
  }
  // a few bans from a node they are not on
  const bans = Math.floor(vmCount * (options.banShare ?? 0.01));
  for (let i = 0; i < bans; i++) {
    const vm = rng.int(0, vmCount - 1);
    const host = b.mapping.host(vm);
    const n = rng.int(0, options.nodes - 1);
    if (n !== host) b.constraints.push({ id: 'ban', continuous: false, args: { vm, nodes: [n] } });
  }
  // drain a rack
  const racks = Math.max(1, Math.floor(options.nodes / rackSize));
  const rack = rng.int(0, racks - 1);
  for (let n = rack * rackSize; n < Math.min(options.nodes, (rack + 1) * rackSize); n++) {
    b.constraints.push({ id: 'offline', continuous: false, args: { node: n } });
  }
  return b.instance();
}

export interface TightOptions {
  readonly nodes: number;
  readonly seed?: number;
  /**
   * Fill target of the known packing, cpu and memory (default 1.0, each node within ±0.02); VM
   * shapes leave some slack, so the load reached is about 93–96 %.
   */
  readonly load?: number;
  /** Retry other seeds (up to this many) until first-fit-decreasing fails (default 20; 0: never). */
  readonly requireFfdFailure?: number;
}

/**
 * A tight drain: a known packing filling every node to about 95 %, then VMs taken off each node onto a
 * rack to drain (the origin). Sending every one of them back is a plan with exactly the lower
 * bound; the holes they leave are fragmented across both resources, so greedy packing fails.
 */
export function generateTight(options: TightOptions): Instance {
  const attempts = Math.max(1, options.requireFfdFailure ?? 20);
  let last: Instance | undefined;
  for (let a = 0; a < attempts; a++) {
    const instance = tightOnce({ ...options, seed: (options.seed ?? 1) + a * 7919 });
    last = instance;
    if ((options.requireFfdFailure ?? 20) === 0) return instance;
    const problem = reduce(instance, { objective: 'migrations' });
    const ffd = firstFitDecreasing(problem, initialRepair(problem));
    if (ffd.unplaced.length > 0) return instance;
  }
  return last as Instance;
}

function tightOnce(options: TightOptions): Instance {
  const rng = new Random(options.seed ?? 1);
  const b = new Builder();
  const load = options.load ?? 1.0;
  // memory per core of the host matches the VM mix's (about 6.5 GiB), so both resources fill up
  const host = { cpu: 64, memGiB: 416 };
  for (let i = 0; i < options.nodes; i++) b.addNode(host.cpu, host.memGiB);
  // the known packing: fill each node to its target in both resources
  const byNode: number[][] = [];
  // odd shapes (cores not powers of two, memory per core from 4 to 16 GiB): the holes left by
  // the fragmentation do not nest, so greedy packing cannot count on divisibility
  const memHeavy: readonly VmSize[] = [
    { cpu: 2, memGiB: 24, weight: 15 },
    { cpu: 3, memGiB: 12, weight: 15 },
    { cpu: 4, memGiB: 48, weight: 12 },
    { cpu: 6, memGiB: 24, weight: 15 },
    { cpu: 6, memGiB: 64, weight: 12 },
    { cpu: 10, memGiB: 40, weight: 12 },
    { cpu: 12, memGiB: 96, weight: 10 },
    { cpu: 16, memGiB: 64, weight: 9 },
  ];
  // Adversarial pairs: an even node loses x=(6c,24G) and y=(4c,64G), the odd node after it loses
  // z=(10c,40G). Largest first, z lands in the first hole (x+y's) and y then fits nowhere, unless
  // a VM on a full node makes way: first-fit-decreasing fails, ejection chains must work.
  const x: VmSize = { cpu: 6, memGiB: 24, weight: 0 };
  const y: VmSize = { cpu: 4, memGiB: 64, weight: 0 };
  const z: VmSize = { cpu: 10, memGiB: 40, weight: 0 };
  const leaving: number[][] = [];
  for (let n = 0; n < options.nodes; n++) {
    const target = Math.min(1, load + (rng.next() - 0.5) * 0.04);
    const list: number[] = [];
    const designated = n % 2 === 0 && n + 1 < options.nodes ? [x, y] : n % 2 === 1 ? [z] : [];
    leaving.push(designated.map((size) => b.addVm(n, size)));
    // random VMs up to 60 %, then the VM whose shape best matches the room left (both resources
    // fill up together), so the only slack is what the target leaves
    for (let tries = 0; tries < 200 && (b.usedCpu[n] ?? 0) < 0.6 * host.cpu; tries++) {
      const size = weighted(rng, memHeavy);
      if ((b.usedCpu[n] ?? 0) + size.cpu > 0.6 * host.cpu) continue;
      list.push(b.addVm(n, size));
    }
    for (;;) {
      const cpuLeft = target * host.cpu - (b.usedCpu[n] ?? 0);
      const memLeft = target * host.memGiB - (b.usedMem[n] ?? 0) / 1024;
      let pick: VmSize | undefined;
      let pickScore = Number.POSITIVE_INFINITY;
      for (const size of memHeavy) {
        if (size.cpu > cpuLeft || size.memGiB > memLeft) continue;
        const score = Math.abs(Math.log((size.memGiB / size.cpu) / Math.max(1e-6, memLeft / Math.max(1e-6, cpuLeft)))) - 0.02 * size.cpu + rng.next() * 0.1;
        if (score < pickScore) {
          pickScore = score;
          pick = size;
        }
      }
      if (!pick) break;
      list.push(b.addVm(n, pick));
    }
    byNode.push(list);
  }
  // the rack to drain: new nodes receiving the designated VMs, plus one random VM of some nodes
  const drainFirst = options.nodes;
  const drain: number[] = [b.addNode(host.cpu, host.memGiB)];
  for (let n = 0; n < options.nodes; n++) {
    const extra = rng.next() < 0.3 && (byNode[n]?.length ?? 0) > 0 ? [rng.pick(byNode[n] ?? [])] : [];
    for (const v of [...(leaving[n] ?? []), ...extra]) {
      const size: VmSize = { cpu: b.cpu.consumption(v), memGiB: b.mem.consumption(v) / 1024, weight: 0 };
      let target = drain.find((d) => b.fits(d, size));
      if (target === undefined) {
        target = b.addNode(host.cpu, host.memGiB);
        drain.push(target);
      }
      b.moveVm(v, n, target);
    }
  }
  for (let n = drainFirst; n < drainFirst + drain.length; n++) b.constraints.push({ id: 'offline', continuous: false, args: { node: n } });
  return b.instance();
}

/** The benchmark ladder: nodes → (label, options). */
export const LADDER: readonly { readonly label: string; readonly nodes: number }[] = [
  { label: 'gen-8', nodes: 8 },
  { label: 'gen-32', nodes: 32 },
  { label: 'gen-64', nodes: 64 },
  { label: 'gen-128', nodes: 128 },
  { label: 'gen-1000', nodes: 1000 },
  { label: 'gen-4000', nodes: 4000 },
  { label: 'gen-10000', nodes: 10000 },
];

export interface TightDrainOptions {
  /** Nodes that stay online (the drained ones come on top). */
  readonly nodes: number;
  /** Nodes to drain (offline at the end), default 2. */
  readonly drained?: number;
  /** Load of the nodes that stay, on every resource, as a share of their capacity (0.90–0.995). */
  readonly load: number;
  /**
   * Fragmentation (0–1): VMs moved between staying nodes on the way to the origin, as a share of
   * the VMs moved onto the drained nodes; the holes the drained VMs find no longer match their
   * shapes, and the known plan needs that many more moves than the lower bound.
   */
  readonly fragmentation?: number;
  readonly seed?: number;
}

/** A tight drain and what is known about it by construction. */
export interface TightDrain {
  readonly instance: Instance;
  /** A complete feasible final placement (VM id → node id): the packing the drain was built from. */
  readonly packing: ReadonlyMap<number, number>;
  /** The known plan's migrations, in an order that keeps every capacity at every step (VM, from, to). */
  readonly knownPlan: readonly { readonly vm: number; readonly from: number; readonly to: number }[];
  /** The load of the staying nodes in the packing, per resource (used / capacity). */
  readonly load: { readonly cpu: number; readonly mem: number };
}

/**
 * Host capacity of the tight drains: 128 cores, 512 GiB (the VM mix's memory per core), fine
 * enough for 0.5 % of slack to mean something.
 */
const DRAIN_HOST = { cpu: 128, memGiB: 512 } as const;

/**
 * A tight drain, feasible by construction, placement and schedule alike. A packing P fills every
 * staying node to exactly `load` of its cpu and memory (random VM shapes, then one filler VM
 * taking the exact remainder of both). The origin is reached from P by single migrations, each
 * VM moving at most once and each landing where there is room while it still occupies its source:
 * VMs onto the drained nodes (online in the origin, `offline` at the end), interleaved with moves
 * between staying nodes into the holes they leave (fragmentation). Those migrations reversed, one
 * at a time, are a valid plan from the origin to P: a planner that says "no plan exists" is
 * wrong. Pure and seeded.
 */
export function generateTightDrain(options: TightDrainOptions): TightDrain {
  const rng = new Random(options.seed ?? 1);
  const b = new Builder();
  const load = Math.min(1, Math.max(0, options.load));
  const staying = Math.max(1, options.nodes);
  const drainedCount = Math.max(1, options.drained ?? 2);
  const cpuCap = DRAIN_HOST.cpu;
  const memCap = DRAIN_HOST.memGiB * 1024;
  for (let i = 0; i < staying + drainedCount; i++) b.addNode(DRAIN_HOST.cpu, DRAIN_HOST.memGiB);
  const cpuTarget = Math.floor(cpuCap * load);
  const memTargetGiB = Math.floor(DRAIN_HOST.memGiB * load);
  const packing = new Map<number, number>();
  const all: number[] = [];
  for (let n = 0; n < staying; n++) {
    // random shapes up to 70 %, then the shapes whose memory per core best matches the room
    // left (both resources fill up together), while both keep room for a filler of 1 core / 2 GiB
    for (let tries = 0; tries < 400; tries++) {
      const cpuLeft = cpuTarget - (b.usedCpu[n] ?? 0);
      const memLeft = memTargetGiB - (b.usedMem[n] ?? 0) / 1024;
      const fits = (size: VmSize): boolean => cpuLeft - size.cpu >= 1 && memLeft - size.memGiB >= 2;
      let size: VmSize | undefined = weighted(rng, VM_MIX);
      if ((b.usedCpu[n] ?? 0) > 0.7 * cpuTarget) {
        const ratio = memLeft / Math.max(1, cpuLeft);
        size = undefined;
        let bestScore = Number.POSITIVE_INFINITY;
        for (const s of VM_MIX) {
          if (!fits(s)) continue;
          const score = Math.abs(Math.log(s.memGiB / s.cpu / ratio)) + rng.next() * 0.3;
          if (score < bestScore) {
            bestScore = score;
            size = s;
          }
        }
        if (!size) break;
      }
      if (fits(size)) all.push(b.addVm(n, size));
    }
    const filler: VmSize = { cpu: cpuTarget - (b.usedCpu[n] ?? 0), memGiB: memTargetGiB - (b.usedMem[n] ?? 0) / 1024, weight: 0 };
    if (filler.cpu > 0 && filler.memGiB > 0) all.push(b.addVm(n, filler));
  }
  for (const v of all) packing.set(v, b.mapping.host(v) ?? -1);
  let cpuUsed = 0;
  let memUsed = 0;
  for (const v of all) {
    cpuUsed += b.cpu.consumption(v);
    memUsed += b.mem.consumption(v);
  }
  // from P to the origin: single moves, each VM at most once, each into room it finds
  const drained = Array.from({ length: drainedCount }, (_, i) => staying + i);
  const room = (n: number, v: number, cap: number): boolean => (b.usedCpu[n] ?? 0) + b.cpu.consumption(v) <= Math.floor(cpuCap * cap) && (b.usedMem[n] ?? 0) + b.mem.consumption(v) <= Math.floor(memCap * cap);
  const moved = new Set<number>();
  const walk: { vm: number; from: number; to: number }[] = [];
  const move = (v: number, to: number): void => {
    const from = b.mapping.host(v) ?? -1;
    b.moveVm(v, from, to);
    moved.add(v);
    walk.push({ vm: v, from, to });
  };
  const fragmentation = Math.max(0, options.fragmentation ?? 0);
  const order = rng.shuffle([...all]);
  let drains = 0;
  let shuffles = 0;
  for (const v of order) {
    if (moved.has(v)) continue;
    const d = drained.find((x) => room(x, v, load));
    if (d === undefined) continue;
    move(v, d);
    drains++;
    // fragmentation: while behind its share, a VM of another staying node moves into a hole
    for (let tries = 0; shuffles < fragmentation * drains && tries < 30; tries++) {
      const w = rng.pick(all);
      const from = b.mapping.host(w) ?? -1;
      if (moved.has(w) || drained.includes(from)) continue;
      const to = rng.int(0, staying - 1);
      if (to === from || !room(to, w, 1)) continue;
      move(w, to);
      shuffles++;
    }
  }
  for (const d of drained) b.constraints.push({ id: 'offline', continuous: false, args: { node: d } });
  const knownPlan = walk.reverse().map(({ vm, from, to }) => ({ vm, from: to, to: from }));
  return { instance: b.instance(), packing, knownPlan, load: { cpu: cpuUsed / (staying * cpuCap), mem: memUsed / (staying * memCap) } };
}
