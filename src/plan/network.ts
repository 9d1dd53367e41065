import { JsonReadError, type JsonResult, childPath, field, readArray, readInt, readObject, readString } from '../json/read.js';
import type { Model, NodeId, OpaqueJson, VmId } from '../model/index.js';

/**
 * BtrPlace's network view (`api/model/view/network/*`, JSON id `net`, scheduler-json
 * NetworkConverter) read into a typed, validated value, and the network-aware migration duration
 * of `choco/view/CNetwork.java`.
 *
 *   {"id":"net",
 *    "switches":[{"id":0,"capacity":-1}],
 *    "links":[{"id":0,"capacity":1000,"switch":0,"physicalElement":{"id":2,"type":"node"}}],
 *    "routing":{"type":"default"}
 *             | {"type":"static","routes":[{"nodes_map":{"src":0,"dst":1},
 *                                           "links":[{"link":0,"direction":"true"}]}]}}
 *
 * Semantics kept from BtrPlace:
 * - capacities are Mbit/s; a negative capacity (switch or link) reads as Integer.MAX_VALUE, which
 *   for a switch means non-blocking (no cumulative), for a link an unbounded bandwidth;
 * - links are full duplex: each direction is its own cumulative. A link joins `switch` to its
 *   `physicalElement` (a node or another switch); direction `up` goes from the element to the
 *   switch, `down` from the switch to the element. (BtrPlace's routing stores `true` for the up
 *   way and its `getLinkDirection` labels it DOWNLINK: only the separation of the two ways matters,
 *   and static routes use the same `"true"` = up convention);
 * - `default` routing is BtrPlace's DefaultRouting: NOT a shortest path but the first path a
 *   depth-first search finds, leaving the source through its first declared link, trying each
 *   switch's links in declaration order and never crossing a link twice. When the switches form
 *   a tree (the usual case: a star, racks under a core) that is the one path there is, found in
 *   linear time. When they form cycles (two links between two switches, a fat tree) BtrPlace's
 *   search meanders (17 links on average between hosts of a k=4 fat tree, where 6 at most suffice) and
 *   takes exponential time: Ferry takes the path with the fewest links there instead, ties going
 *   to the links declared first (`Route.how` says which rule gave a route);
 * - `static` routing: the listed route for the (src, dst) pair, the last one listed winning (a
 *   route listing no link is kept: no link used, Integer.MAX_VALUE bandwidth);
 * - maxBW(path) = the smallest capacity among the path's links and the switches those links are
 *   attached to (`link.switch`, not the far end of a switch-to-switch link), as Routing.getMaxBW;
 * - a migration uses maxBW(path) on every link direction of its path and on every blocking switch
 *   one of its links touches, for its whole duration.
 * Differences, on the side of clear errors: a node without a link, a pair without a path (or
 * without a static route) and a zero bandwidth are errors naming the nodes, where BtrPlace crashes,
 * silently uses Integer.MAX_VALUE (a 1 s migration over no link) or overflows.
 */

/** BtrPlace's Integer.MAX_VALUE: what a negative capacity means. */
export const UNLIMITED_CAPACITY = 2147483647;
/** Where the view sits in an instance (a JSONPath filter; its index depends on the file). */
export const NET_VIEW_PATH = '$.model.views[?(@.id=="net")]';
export const NET_VIEW_ID = 'net';

export interface NetSwitch {
  readonly id: number;
  /** Mbit/s; UNLIMITED_CAPACITY when non-blocking. */
  readonly capacity: number;
  readonly blocking: boolean;
}

export interface NetLink {
  readonly id: number;
  /** Position in the view's `links` array. */
  readonly index: number;
  /** Mbit/s, per direction (full duplex). */
  readonly capacity: number;
  readonly switchId: number;
  readonly element: { readonly type: 'node' | 'switch'; readonly id: number };
}

/** `up`: from the link's element (node or switch) to its switch; `down`: the other way. */
export type LinkDirection = 'up' | 'down';

export interface Hop {
  readonly link: NetLink;
  readonly direction: LinkDirection;
}

export interface Route {
  readonly src: NodeId;
  readonly dst: NodeId;
  /** The links crossed, in order, each with its direction. Empty when src = dst. */
  readonly hops: readonly Hop[];
  /**
   * `first`: BtrPlace's first depth-first path (switches forming a tree); `shortest`: the path
   * with the fewest links (switches forming cycles); `static`: a given route.
   */
  readonly how: 'first' | 'shortest' | 'static';
  /** maxBW(path): what the migration is given and consumes (Mbit/s). */
  readonly bandwidth: number;
  /** The blocking switches the route touches (BtrPlace's switch cumulatives). */
  readonly switches: readonly NetSwitch[];
}

export type NetRouting =
  | { readonly type: 'default' }
  | { readonly type: 'static'; readonly routes: ReadonlyMap<string, readonly { readonly linkIndex: number; readonly direction: LinkDirection }[]> };


export class Network {
  private readonly routeCache = new Map<string, Route | string>();
  private readonly linksOfSwitch = new Map<number, number[]>();
  private readonly linksOfNode = new Map<number, number[]>();
  private readonly switchById = new Map<number, NetSwitch>();
  /** Whether the switches and the links between them form cycles (see the module comment). */
  readonly meshed: boolean;

  constructor(
    readonly switches: readonly NetSwitch[],
    readonly links: readonly NetLink[],
    readonly routing: NetRouting,
  ) {
    for (const s of switches) this.switchById.set(s.id, s);
    const add = (map: Map<number, number[]>, key: number, i: number): void => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    links.forEach((l, i) => {
      // BtrPlace's getConnectedLinks(pe): every link whose element or switch is pe, in order
      add(this.linksOfSwitch, l.switchId, i);
      if (l.element.type === 'switch') add(this.linksOfSwitch, l.element.id, i);
      else add(this.linksOfNode, l.element.id, i);
    });
    // union-find over the switch-to-switch links: a link joining two already joined switches closes a cycle
    const parent = new Map<number, number>();
    const root = (x: number): number => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) as number;
      parent.set(x, r);
      return r;
    };
    let meshed = false;
    for (const l of links) {
      if (l.element.type !== 'switch') continue;
      const a = root(l.switchId);
      const b = root(l.element.id);
      if (a === b) meshed = true;
      else parent.set(a, b);
    }
    this.meshed = meshed;
  }

  switchOf(id: number): NetSwitch | undefined {
    return this.switchById.get(id);
  }

  /** Nodes with at least one link. */
  connectedNodes(): NodeId[] {
    return [...this.linksOfNode.keys()];
  }

  /** The route from `src` to `dst`, or why there is none. */
  route(src: NodeId, dst: NodeId): Route | string {
    const key = `${src}>${dst}`;
    let r = this.routeCache.get(key);
    if (r === undefined) {
      r = this.computeRoute(src, dst);
      this.routeCache.set(key, r);
    }
    return r;
  }

  /** Routing.getMaxBW(src, dst), or why there is no route. */
  maxBandwidth(src: NodeId, dst: NodeId): number | string {
    const r = this.route(src, dst);
    return typeof r === 'string' ? r : r.bandwidth;
  }

  private computeRoute(src: NodeId, dst: NodeId): Route | string {
    if (src === dst) return { src, dst, hops: [], bandwidth: UNLIMITED_CAPACITY, switches: [], how: this.routing.type === 'static' ? 'static' : 'first' };
    const how: Route['how'] = this.routing.type === 'static' ? 'static' : this.meshed ? 'shortest' : 'first';
    const hops = how === 'static' ? this.staticPath(src, dst) : how === 'first' ? this.firstPath(src, dst) : this.shortestPath(src, dst);
    if (typeof hops === 'string') return hops;
    let bandwidth = UNLIMITED_CAPACITY;
    const touched = new Map<number, NetSwitch>();
    for (const h of hops) {
      bandwidth = Math.min(bandwidth, h.link.capacity);
      const sw = this.switchById.get(h.link.switchId) as NetSwitch;
      bandwidth = Math.min(bandwidth, sw.capacity);
      for (const id of h.link.element.type === 'switch' ? [h.link.switchId, h.link.element.id] : [h.link.switchId]) {
        const s = this.switchById.get(id) as NetSwitch;
        if (s.blocking) touched.set(id, s);
      }
    }
    return { src, dst, hops, bandwidth, switches: [...touched.values()], how };
  }

  private staticPath(src: NodeId, dst: NodeId): Hop[] | string {
    if (this.routing.type !== 'static') return [];
    const route = this.routing.routes.get(`${src}>${dst}`);
    if (!route) return `the net view's static routing has no route from node#${src} to node#${dst}`;
    return route.map((r) => ({ link: this.links[r.linkIndex] as NetLink, direction: r.direction }));
  }

  /**
   * DefaultRouting.getPath: depth-first, first declared links first, no link crossed twice
   * (linear time when the switches form a tree: each switch is entered once).
   */
  private firstPath(src: NodeId, dst: NodeId): Hop[] | string {
    const first = this.linksOfNode.get(src)?.[0];
    if (first === undefined) return `node#${src} has no link in the net view`;
    if (!this.linksOfNode.has(dst)) return `node#${dst} has no link in the net view`;
    const path: Hop[] = [{ link: this.links[first] as NetLink, direction: 'up' }];
    const inPath = new Set<number>([first]);
    const dfs = (sw: number): boolean => {
      for (const i of this.linksOfSwitch.get(sw) ?? []) {
        if (inPath.has(i)) continue;
        const l = this.links[i] as NetLink;
        // through `l` from switch `sw`: toward the element when `sw` is the link's switch
        const fromSwitchSide = l.switchId === sw;
        inPath.add(i);
        path.push({ link: l, direction: fromSwitchSide ? 'down' : 'up' });
        if (l.element.type === 'node') {
          if (l.element.id === dst) return true;
        } else {
          if (dfs(fromSwitchSide ? l.element.id : l.switchId)) return true;
        }
        path.pop();
        inPath.delete(i);
      }
      return false;
    };
    if (!dfs((this.links[first] as NetLink).switchId)) return `the net view has no path from node#${src} to node#${dst}`;
    return path;
  }

  /**
   * The path with the fewest links from the source's first link to any link of the destination
   * (breadth-first over the switches, links in declaration order).
   */
  private shortestPath(src: NodeId, dst: NodeId): Hop[] | string {
    const first = this.linksOfNode.get(src)?.[0];
    if (first === undefined) return `node#${src} has no link in the net view`;
    const start = (this.links[first] as NetLink).switchId;
    const via = new Map<number, { from: number; hop: Hop }>(); // switch → how it was reached
    const seen = new Set<number>([start]);
    const queue = [start];
    let last: { sw: number; hop: Hop } | undefined;
    for (let q = 0; q < queue.length && !last; q++) {
      const sw = queue[q] as number;
      for (const i of this.linksOfSwitch.get(sw) ?? []) {
        if (i === first) continue;
        const l = this.links[i] as NetLink;
        const fromSwitchSide = l.switchId === sw;
        const hop: Hop = { link: l, direction: fromSwitchSide ? 'down' : 'up' };
        if (l.element.type === 'node') {
          if (l.element.id === dst) {
            last = { sw, hop };
            break;
          }
          continue;
        }
        const next = fromSwitchSide ? l.element.id : l.switchId;
        if (seen.has(next)) continue;
        seen.add(next);
        via.set(next, { from: sw, hop });
        queue.push(next);
      }
    }
    if (!last) return `the net view has no path from node#${src} to node#${dst}`;
    const hops: Hop[] = [last.hop];
    for (let sw = last.sw; sw !== start; ) {
      const step = via.get(sw) as { from: number; hop: Hop };
      hops.push(step.hop);
      sw = step.from;
    }
    hops.push({ link: this.links[first] as NetLink, direction: 'up' });
    return hops.reverse();
  }
}

// ---- reading --------------------------------------------------------------------------------

function readCapacity(raw: unknown, path: string): number {
  const c = readInt(raw, path);
  if (c > UNLIMITED_CAPACITY) throw new JsonReadError(path, `a capacity is a Java int (at most ${UNLIMITED_CAPACITY}), found ${c}`);
  return c < 0 ? UNLIMITED_CAPACITY : c;
}

function readId(raw: unknown, path: string): number {
  const id = readInt(raw, path);
  if (id < 0 || id > UNLIMITED_CAPACITY) throw new JsonReadError(path, `an id is a non-negative Java int, found ${id}`);
  return id;
}

/** Reads a `net` view; throws a JsonReadError located from `path`. */
export function readNetwork(raw: unknown, path: string = NET_VIEW_PATH): Network {
  const view = readObject(raw, path);
  const switchesPath = childPath(path, 'switches');
  const switches: NetSwitch[] = [];
  const switchIds = new Set<number>();
  readArray(field(view, 'switches', path), switchesPath).forEach((s, i) => {
    const p = childPath(switchesPath, i);
    const o = readObject(s, p);
    const id = readId(field(o, 'id', p), childPath(p, 'id'));
    if (switchIds.has(id)) throw new JsonReadError(childPath(p, 'id'), `switch ${id} is declared twice`);
    switchIds.add(id);
    const capacity = readCapacity(field(o, 'capacity', p), childPath(p, 'capacity'));
    switches.push({ id, capacity, blocking: capacity !== UNLIMITED_CAPACITY });
  });

  const linksPath = childPath(path, 'links');
  const links: NetLink[] = [];
  const linkIndex = new Map<number, number>();
  readArray(field(view, 'links', path), linksPath).forEach((l, index) => {
    const p = childPath(linksPath, index);
    const o = readObject(l, p);
    const id = readId(field(o, 'id', p), childPath(p, 'id'));
    if (linkIndex.has(id)) throw new JsonReadError(childPath(p, 'id'), `link ${id} is declared twice`);
    const capacity = readCapacity(field(o, 'capacity', p), childPath(p, 'capacity'));
    const switchId = readId(field(o, 'switch', p), childPath(p, 'switch'));
    if (!switchIds.has(switchId)) throw new JsonReadError(childPath(p, 'switch'), `switch ${switchId} is not declared in 'switches'`);
    const ep = childPath(p, 'physicalElement');
    const e = readObject(field(o, 'physicalElement', p), ep);
    const type = readString(field(e, 'type', ep), childPath(ep, 'type'));
    if (type !== 'node' && type !== 'switch') throw new JsonReadError(childPath(ep, 'type'), `type '${type}' is not a physical element (node or switch)`);
    const elementId = readId(field(e, 'id', ep), childPath(ep, 'id'));
    if (type === 'switch') {
      if (!switchIds.has(elementId)) throw new JsonReadError(childPath(ep, 'id'), `switch ${elementId} is not declared in 'switches'`);
      if (elementId === switchId) throw new JsonReadError(ep, `link ${id} joins switch ${switchId} to itself`);
    }
    linkIndex.set(id, index);
    links.push({ id, index, capacity, switchId, element: { type, id: elementId } });
  });

  const routingPath = childPath(path, 'routing');
  const r = readObject(field(view, 'routing', path), routingPath);
  const type = readString(field(r, 'type', routingPath), childPath(routingPath, 'type'));
  let routing: NetRouting;
  if (type === 'default') routing = { type: 'default' };
  else if (type === 'static') routing = { type: 'static', routes: readStaticRoutes(r, routingPath, linkIndex) };
  else throw new JsonReadError(childPath(routingPath, 'type'), `no routing of type '${type}' (default or static)`);
  return new Network(switches, links, routing);
}

function readStaticRoutes(
  r: Record<string, unknown>,
  path: string,
  linkIndex: ReadonlyMap<number, number>,
): Map<string, { linkIndex: number; direction: LinkDirection }[]> {
  const routes = new Map<string, { linkIndex: number; direction: LinkDirection }[]>();
  const routesPath = childPath(path, 'routes');
  readArray(field(r, 'routes', path), routesPath).forEach((route, i) => {
    const p = childPath(routesPath, i);
    const o = readObject(route, p);
    const mp = childPath(p, 'nodes_map');
    const m = readObject(field(o, 'nodes_map', p), mp);
    const src = readId(field(m, 'src', mp), childPath(mp, 'src'));
    const dst = readId(field(m, 'dst', mp), childPath(mp, 'dst'));
    const lp = childPath(p, 'links');
    const hops: { linkIndex: number; direction: LinkDirection }[] = [];
    const seen = new Set<number>();
    readArray(field(o, 'links', p), lp).forEach((h, j) => {
      const hp = childPath(lp, j);
      const ho = readObject(h, hp);
      const id = readInt(field(ho, 'link', hp), childPath(hp, 'link'));
      const index = linkIndex.get(id);
      if (index === undefined) throw new JsonReadError(childPath(hp, 'link'), `link ${id} is not declared in 'links'`);
      if (seen.has(index)) throw new JsonReadError(childPath(hp, 'link'), `link ${id} appears twice in the route`);
      seen.add(index);
      const d = field(ho, 'direction', hp);
      // BtrPlace writes Boolean.toString and reads Boolean.valueOf: "true" is the up way
      const up = d === true || (typeof d === 'string' && d.toLowerCase() === 'true');
      const down = d === false || (typeof d === 'string' && d.toLowerCase() === 'false');
      if (!up && !down) throw new JsonReadError(childPath(hp, 'direction'), `a direction is "true" (element to switch) or "false" (switch to element), found ${JSON.stringify(d)}`);
      hops.push({ linkIndex: index, direction: up ? 'up' : 'down' });
    });
    routes.set(`${src}>${dst}`, hops); // the last route of a pair wins, as setStaticRoute
  });
  return routes;
}

/** `readNetwork` as a result value. */
export function parseNetwork(raw: unknown, path: string = NET_VIEW_PATH): JsonResult<Network> {
  try {
    return { ok: true, value: readNetwork(raw, path) };
  } catch (e) {
    if (e instanceof JsonReadError) return { ok: false, error: { path: e.path, message: e.reason } };
    throw e;
  }
}

/** The model's `net` view in its verbatim JSON form (Model.opaqueViews), if any. */
export function networkViewOf(model: Model): OpaqueJson | undefined {
  for (const v of model.opaqueViews) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && v['id'] === NET_VIEW_ID) return v;
  }
  return undefined;
}

const parsedViews = new WeakMap<object, Network | JsonReadError>();

/**
 * The model's network, read from its verbatim `net` view (kept in opaqueViews so the instance
 * still round-trips byte for byte), or undefined without one. Throws the located JsonReadError of
 * a malformed view, or one naming a link to a node the model does not have. Cached per view.
 */
export function networkOf(model: Model): Network | undefined {
  const view = networkViewOf(model);
  if (view === undefined || typeof view !== 'object' || view === null) return undefined;
  let parsed = parsedViews.get(view);
  if (parsed === undefined) {
    try {
      parsed = readNetwork(view);
      parsed.links.forEach((l) => {
        if (l.element.type === 'node' && model.mapping.nodeState(l.element.id) === undefined) {
          throw new JsonReadError(childPath(childPath(childPath(childPath(NET_VIEW_PATH, 'links'), l.index), 'physicalElement'), 'id'), `node ${l.element.id} is not in the mapping`);
        }
      });
    } catch (e) {
      if (!(e instanceof JsonReadError)) throw e;
      parsed = e;
    }
    parsedViews.set(view, parsed);
  }
  if (parsed instanceof JsonReadError) throw parsed;
  return parsed;
}

/** `networkOf` as a result value. */
export function tryNetworkOf(model: Model): JsonResult<Network | undefined> {
  try {
    return { ok: true, value: networkOf(model) };
  } catch (e) {
    if (e instanceof JsonReadError) return { ok: false, error: { path: e.path, message: e.reason } };
    throw e;
  }
}

// ---- durations ------------------------------------------------------------------------------

/** The VM attributes CNetwork reads, with its defaults (an idle VM). */
export interface MemoryActivity {
  /** MiB of memory to copy (mandatory). */
  readonly memUsed: number;
  /** MiB dirtied over `hotDirtyDuration` (default 5.0). */
  readonly hotDirtySize: number;
  /** seconds (default 2.0). */
  readonly hotDirtyDuration: number;
  /** MiB/s dirtied past the hot pages (default 0.0). */
  readonly coldDirtyRate: number;
}

export const HOT_DIRTY_SIZE = 5.0;
export const HOT_DIRTY_DURATION = 2.0;
export const COLD_DIRTY_RATE = 0.0;

/**
 * CNetwork's duration for a migration given `maxBW` Mbit/s (undefined when it cannot be computed:
 * no bandwidth, or a result beyond a Java int). `bw = maxBW / 9` (MiB/s: 8 bits a byte plus
 * overhead), `dmin = memUsed / bw`; beyond the hot-page period the cold pages dirtied meanwhile
 * and the last hot pages are sent too; `max(1, round(d))` (Java's Math.round: floor(x + 0.5)).
 */
export function networkDurationSeconds(maxBW: number, a: MemoryActivity): number | undefined {
  if (!(maxBW > 0)) return undefined;
  const bw = maxBW / 9.0;
  const dmin = a.memUsed / bw;
  let d: number;
  if (dmin > a.hotDirtyDuration) {
    const cold = (a.hotDirtySize + (dmin - a.hotDirtyDuration) * a.coldDirtyRate) / (bw - a.coldDirtyRate);
    const hot = (a.hotDirtySize / bw) * (a.hotDirtySize / a.hotDirtyDuration / (bw - a.hotDirtySize / a.hotDirtyDuration));
    d = dmin + cold + hot;
  } else {
    d = dmin + ((a.hotDirtySize / a.hotDirtyDuration) * dmin) / (bw - a.hotDirtySize / a.hotDirtyDuration);
  }
  if (Number.isNaN(d)) return 1; // Java: Math.round(NaN) = 0, then max(1, 0)
  if (!Number.isFinite(d) || d > UNLIMITED_CAPACITY) return undefined;
  return Math.max(1, Math.floor(d + 0.5));
}

/** The memory activity of a VM from its attributes, or a sentence naming the VM and the attribute. */
export function memoryActivityOf(model: Model, vm: VmId): MemoryActivity | string {
  const attrs = model.attributes;
  const name = model.vmName(vm);
  const num = (key: string, fallback: number | undefined): number | string => {
    const v = attrs.get('vm', vm, key);
    if (v === undefined) return fallback ?? `${name} has no 'memUsed' attribute; the net view needs it for every migrating VM (MiB of memory used)`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${name}'s attribute '${key}' must be a number (got ${JSON.stringify(v)})`;
    return v;
  };
  const memUsed = num('memUsed', undefined);
  if (typeof memUsed === 'string') return memUsed;
  if (memUsed < 0) return `${name}'s attribute 'memUsed' must not be negative (got ${memUsed})`;
  const hotDirtySize = num('hotDirtySize', HOT_DIRTY_SIZE);
  if (typeof hotDirtySize === 'string') return hotDirtySize;
  const hotDirtyDuration = num('hotDirtyDuration', HOT_DIRTY_DURATION);
  if (typeof hotDirtyDuration === 'string') return hotDirtyDuration;
  const coldDirtyRate = num('coldDirtyRate', COLD_DIRTY_RATE);
  if (typeof coldDirtyRate === 'string') return coldDirtyRate;
  return { memUsed, hotDirtySize, hotDirtyDuration, coldDirtyRate };
}

/**
 * The duration of migrating `vm` from `src` to `dst` over `network` (CNetwork.beforeSolve), or a
 * sentence saying why it cannot be computed (no memUsed, no route, no bandwidth), naming the VM
 * and the nodes.
 */
export function networkMigrationDuration(model: Model, network: Network, vm: VmId, src: NodeId, dst: NodeId): number | string {
  const activity = memoryActivityOf(model, vm);
  if (typeof activity === 'string') return activity;
  const route = network.route(src, dst);
  const what = `the migration of ${model.vmName(vm)} from ${model.nodeName(src)} to ${model.nodeName(dst)}`;
  if (typeof route === 'string') return `${what}: ${route}`;
  const d = networkDurationSeconds(route.bandwidth, activity);
  if (d === undefined) return `${what}: its path offers ${route.bandwidth} Mbit/s, too little to move ${activity.memUsed} MiB`;
  return d;
}

// ---- words ----------------------------------------------------------------------------------

/** `S0` */
export function switchLabel(id: number): string {
  return `S${id}`;
}

/** `link L3 (N1 → S0)` for a direction of a link, or `link L3 (N1 ↔ S0)` for both. */
export function linkLabel(model: Model, link: NetLink, direction?: LinkDirection): string {
  const element = link.element.type === 'node' ? model.nodeName(link.element.id) : switchLabel(link.element.id);
  const sw = switchLabel(link.switchId);
  const ends = direction === undefined ? `${element} ↔ ${sw}` : direction === 'up' ? `${element} → ${sw}` : `${sw} → ${element}`;
  return `link L${link.id} (${ends})`;
}
