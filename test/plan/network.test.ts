import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { instanceToJson, parseInstanceText } from '../../src/instance/json.js';
import type { Instance } from '../../src/instance/instance.js';
import { Model, type OpaqueJson } from '../../src/model/index.js';
import { DurationModel } from '../../src/plan/durations.js';
import {
  NET_VIEW_PATH,
  type Network,
  networkDurationSeconds,
  networkOf,
  parseNetwork,
  readNetwork,
  tryNetworkOf,
  UNLIMITED_CAPACITY,
} from '../../src/plan/network.js';

/** BtrPlace's CT/IssuesTest.java#testIssue93, verbatim (btrplace-semantics.md §6, real example 3). */
const ISSUE_93 =
  '{"model":{"mapping":{"readyVMs":[],"onlineNodes":{"0":{"sleepingVMs":[],"runningVMs":[0]},"1":{"sleepingVMs":[],"runningVMs":[1]},"2":{"sleepingVMs":[],"runningVMs":[2]}},"offlineNodes":[]},"attributes":{"nodes":{},"vms":{"0":{"memUsed":204},"1":{"memUsed":204},"2":{"memUsed":204}}},"views":[{"defConsumption":0,"nodes":{"0":8,"1":10,"2":10},"rcId":"cpu","id":"shareableResource","defCapacity":0,"vms":{"0":8,"1":1,"2":1}},{"routing":{"type":"default"},"switches":[{"id":0,"capacity":-1}],"links":[{"physicalElement":{"id":2,"type":"node"},"id":0,"capacity":1000,"switch":0},{"physicalElement":{"id":1,"type":"node"},"id":1,"capacity":1000,"switch":0},{"physicalElement":{"id":0,"type":"node"},"id":2,"capacity":1000,"switch":0}],"id":"net"}]},"constraints":[{"rc":"cpu","amount":6,"nodes":[0],"continuous":false,"id":"resourceCapacity"}],"objective":{"id":"minimizeMTTR"}}';

function issue93(): Instance {
  const r = parseInstanceText(ISSUE_93);
  if (!r.ok) throw new Error(`${r.error.path}: ${r.error.message}`);
  return r.value;
}

const node = (id: number): OpaqueJson => ({ id, type: 'node' });
const sw = (id: number): OpaqueJson => ({ id, type: 'switch' });
const link = (id: number, capacity: number, switchId: number, element: OpaqueJson): OpaqueJson => ({ id, capacity, switch: switchId, physicalElement: element });

/**
 * Two switches: N0, N1 on S0 and N2, N3 on S1, 1000 Mbit/s node links, S0–S1 joined by a
 * 500 Mbit/s link (declared last).
 */
const TWO_SWITCHES: OpaqueJson = {
  id: 'net',
  switches: [
    { id: 0, capacity: -1 },
    { id: 1, capacity: -1 },
  ],
  links: [link(0, 1000, 0, node(0)), link(1, 1000, 0, node(1)), link(2, 1000, 1, node(2)), link(3, 1000, 1, node(3)), link(4, 500, 0, sw(1))],
  routing: { type: 'default' },
};

function hops(net: Network, src: number, dst: number): string[] {
  const r = net.route(src, dst);
  if (typeof r === 'string') throw new Error(r);
  return r.hops.map((h) => `L${h.link.id}${h.direction === 'up' ? '↑' : '↓'}`);
}

function modelWith(view: OpaqueJson, nodes: number[], memUsed: Record<number, number> = {}): Model {
  const m = new Model();
  for (const n of nodes) m.mapping.addOnlineNode(n);
  m.mapping.addRunningVM(0, nodes[0] as number);
  for (const [vm, mem] of Object.entries(memUsed)) m.attributes.put('vm', Number(vm), 'memUsed', mem);
  m.opaqueViews.push(view);
  return m;
}

describe('reading the net view', () => {
  it("reads BtrPlace's testIssue93 view: one non-blocking switch, three 1000 Mbit/s links", () => {
    const net = networkOf(issue93().model);
    expect(net).toBeDefined();
    const n = net as Network;
    expect(n.switches).toEqual([{ id: 0, capacity: UNLIMITED_CAPACITY, blocking: false }]);
    expect(n.links.map((l) => [l.id, l.capacity, l.switchId, l.element.type, l.element.id])).toEqual([
      [0, 1000, 0, 'node', 2],
      [1, 1000, 0, 'node', 1],
      [2, 1000, 0, 'node', 0],
    ]);
    expect(n.routing).toEqual({ type: 'default' });
    // node 0 leaves through its own link (L2) up to S0, then down L1 to node 1
    expect(hops(n, 0, 1)).toEqual(['L2↑', 'L1↓']);
    expect(n.maxBandwidth(0, 1)).toBe(1000);
  });

  it('keeps the instance JSON byte-equal through a round trip', () => {
    const inst = issue93();
    const text = JSON.stringify(instanceToJson(inst));
    // the net view is written back exactly as it was read (same keys, same order)
    const original = (JSON.parse(ISSUE_93) as { model: { views: unknown[] } }).model.views[1];
    const written = (JSON.parse(text) as { model: { views: unknown[] } }).model.views[1];
    expect(JSON.stringify(written)).toBe(JSON.stringify(original));
    const again = parseInstanceText(text);
    if (!again.ok) throw new Error(again.error.message);
    expect(JSON.stringify(instanceToJson(again.value))).toBe(text);
    // interpreting the view does not change the model
    networkOf(again.value.model);
    expect(JSON.stringify(instanceToJson(again.value))).toBe(text);
  });

  it('a model without a net view has no network', () => {
    expect(networkOf(new Model())).toBeUndefined();
  });

  const malformed: [string, OpaqueJson, string, RegExp][] = [
    ['switches missing', { id: 'net', links: [], routing: { type: 'default' } }, `${NET_VIEW_PATH}.switches`, /required field is missing/],
    ['a switch capacity that is not an integer', { id: 'net', switches: [{ id: 0, capacity: 'big' }], links: [], routing: { type: 'default' } }, `${NET_VIEW_PATH}.switches[0].capacity`, /expected an integer/],
    ['a duplicate switch id', { id: 'net', switches: [{ id: 0, capacity: 1 }, { id: 0, capacity: 2 }], links: [], routing: { type: 'default' } }, `${NET_VIEW_PATH}.switches[1].id`, /declared twice/],
    ['a link to an undeclared switch', { id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(0, 10, 0, node(0)), link(1, 10, 7, node(1))], routing: { type: 'default' } }, `${NET_VIEW_PATH}.links[1].switch`, /switch 7 is not declared/],
    ['a physical element of an unknown type', { id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(0, 10, 0, { id: 1, type: 'router' })], routing: { type: 'default' } }, `${NET_VIEW_PATH}.links[0].physicalElement.type`, /'router' is not a physical element/],
    ['a duplicate link id', { id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(3, 10, 0, node(0)), link(3, 10, 0, node(1))], routing: { type: 'default' } }, `${NET_VIEW_PATH}.links[1].id`, /link 3 is declared twice/],
    ['an unknown routing', { id: 'net', switches: [], links: [], routing: { type: 'ospf' } }, `${NET_VIEW_PATH}.routing.type`, /no routing of type 'ospf'/],
    [
      'a static route through an unknown link',
      { id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(0, 10, 0, node(0))], routing: { type: 'static', routes: [{ nodes_map: { src: 0, dst: 1 }, links: [{ link: 9, direction: 'true' }] }] } },
      `${NET_VIEW_PATH}.routing.routes[0].links[0].link`,
      /link 9 is not declared/,
    ],
    [
      'a static route with a bad direction',
      { id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(0, 10, 0, node(0))], routing: { type: 'static', routes: [{ nodes_map: { src: 0, dst: 1 }, links: [{ link: 0, direction: 'up' }] }] } },
      `${NET_VIEW_PATH}.routing.routes[0].links[0].direction`,
      /"true" \(element to switch\) or "false"/,
    ],
    ['a view that is not an object', [1, 2], NET_VIEW_PATH, /expected an object/],
  ];
  for (const [what, view, path, message] of malformed) {
    it(`rejects ${what} with its JSON path`, () => {
      const r = parseNetwork(view);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.path).toBe(path);
      expect(r.error.message).toMatch(message);
      expect(() => readNetwork(view)).toThrow(path);
    });
  }

  it('never throws on mutated views: a network whose routes and durations all answer, or a located error', () => {
    const mutate = (value: OpaqueJson, picks: number[], replacement: OpaqueJson): OpaqueJson => {
      if (picks.length === 0 || value === null || typeof value !== 'object') return replacement;
      const [pick = 0, ...rest] = picks;
      if (Array.isArray(value)) return value.length === 0 ? replacement : value.map((v, j) => (j === pick % value.length ? mutate(v, rest, replacement) : v));
      const keys = Object.keys(value);
      const key = keys[pick % keys.length] ?? '';
      return { ...value, [key]: mutate(value[key] ?? null, rest, replacement) };
    };
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), (picks, replacement) => {
        const view = mutate(TWO_SWITCHES, picks, replacement as OpaqueJson);
        const m = modelWith(view, [0, 1, 2, 3], { 0: 500 });
        const r = tryNetworkOf(m);
        if (!r.ok) {
          expect(r.error.path.startsWith(NET_VIEW_PATH)).toBe(true);
          return;
        }
        for (const a of [0, 1, 2, 3, 9]) for (const b of [0, 1, 2, 3, 9]) {
          const d = DurationModel.defaults().tryDuration('migrateVM', 0, m, { src: a, dst: b });
          if (d.ok) expect(d.value).toBeGreaterThan(0);
          else expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a link to a node the model does not have (located), never crashing', () => {
    const m = modelWith({ id: 'net', switches: [{ id: 0, capacity: -1 }], links: [link(0, 10, 0, node(0)), link(1, 10, 0, node(7))], routing: { type: 'default' } }, [0, 1]);
    const r = tryNetworkOf(m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.path).toBe(`${NET_VIEW_PATH}.links[1].physicalElement.id`);
    expect(r.error.message).toMatch(/node 7 is not in the mapping/);
  });
});

describe('routing', () => {
  it('default routing over two switches: through the 500 Mbit/s inter-switch link, directions per way', () => {
    const net = readNetwork(TWO_SWITCHES);
    expect(hops(net, 0, 2)).toEqual(['L0↑', 'L4↓', 'L2↓']);
    expect(hops(net, 2, 0)).toEqual(['L2↑', 'L4↑', 'L0↓']);
    expect(hops(net, 0, 1)).toEqual(['L0↑', 'L1↓']);
    expect(net.maxBandwidth(0, 2)).toBe(500);
    expect(net.maxBandwidth(0, 1)).toBe(1000);
    expect(net.maxBandwidth(3, 3)).toBe(UNLIMITED_CAPACITY);
    expect(hops(net, 3, 3)).toEqual([]);
  });

  it("default routing over a tree of switches is BtrPlace's first depth-first path, not the shortest one", () => {
    // S0 – S1 – S2 in a line; N0 on S0; N1 on S2 and also on S0, through a link declared last
    const net = readNetwork({
      id: 'net',
      switches: [0, 1, 2].map((id) => ({ id, capacity: -1 })),
      links: [link(0, 1000, 0, node(0)), link(1, 100, 0, sw(1)), link(2, 1000, 1, sw(2)), link(3, 1000, 2, node(1)), link(4, 1000, 0, node(1))],
      routing: { type: 'default' },
    });
    expect(net.meshed).toBe(false);
    expect(hops(net, 0, 1)).toEqual(['L0↑', 'L1↓', 'L2↓', 'L3↓']);
    expect(net.maxBandwidth(0, 1)).toBe(100);
    const r = net.route(0, 1);
    expect(typeof r === 'string' ? r : r.how).toBe('first');
  });

  it('default routing over switches forming cycles takes the path with the fewest links', () => {
    // S0 – S1 – S2 – S0: BtrPlace's search would go N0 → S0 → S1 → S2 → N1 (L1 is declared first)
    const net = readNetwork({
      id: 'net',
      switches: [0, 1, 2].map((id) => ({ id, capacity: -1 })),
      links: [link(0, 1000, 0, node(0)), link(1, 100, 0, sw(1)), link(2, 1000, 1, sw(2)), link(3, 1000, 0, sw(2)), link(4, 1000, 2, node(1))],
      routing: { type: 'default' },
    });
    expect(net.meshed).toBe(true);
    expect(hops(net, 0, 1)).toEqual(['L0↑', 'L3↓', 'L4↓']);
    expect(hops(net, 1, 0)).toEqual(['L4↑', 'L3↑', 'L0↓']);
    expect(net.maxBandwidth(0, 1)).toBe(1000);
    const r = net.route(0, 1);
    expect(typeof r === 'string' ? r : r.how).toBe('shortest');
  });

  it('two links between the same switches make a cycle too', () => {
    const net = readNetwork({
      id: 'net',
      switches: [0, 1].map((id) => ({ id, capacity: -1 })),
      links: [link(0, 1000, 0, node(0)), link(1, 100, 0, sw(1)), link(2, 400, 1, sw(0)), link(3, 1000, 1, node(1))],
      routing: { type: 'default' },
    });
    expect(net.meshed).toBe(true);
    // both are two-switch paths: the first declared link wins
    expect(hops(net, 0, 1)).toEqual(['L0↑', 'L1↓', 'L3↓']);
    expect(hops(net, 1, 0)).toEqual(['L3↑', 'L1↑', 'L0↓']);
  });

  it("maxBW counts the capacity of each link's switch (a blocking switch caps the path)", () => {
    const net = readNetwork({
      id: 'net',
      switches: [{ id: 0, capacity: 300 }],
      links: [link(0, 1000, 0, node(0)), link(1, 1000, 0, node(1))],
      routing: { type: 'default' },
    });
    expect(net.maxBandwidth(0, 1)).toBe(300);
    const r = net.route(0, 1);
    expect(typeof r === 'string' ? [] : r.switches.map((s) => s.id)).toEqual([0]);
  });

  it('static routing: the given links and directions; a missing route is an error naming the nodes', () => {
    const net = readNetwork({
      id: 'net',
      switches: [{ id: 0, capacity: -1 }],
      links: [link(0, 1000, 0, node(0)), link(1, 200, 0, node(1))],
      routing: {
        type: 'static',
        routes: [
          { nodes_map: { src: 0, dst: 1 }, links: [{ link: 0, direction: 'true' }, { link: 1, direction: 'false' }] },
          { nodes_map: { src: 1, dst: 0 }, links: [{ link: 1, direction: 'TRUE' }, { link: 0, direction: 'false' }] },
        ],
      },
    });
    expect(hops(net, 0, 1)).toEqual(['L0↑', 'L1↓']);
    expect(hops(net, 1, 0)).toEqual(['L1↑', 'L0↓']);
    expect(net.maxBandwidth(0, 1)).toBe(200);
    expect(net.route(0, 2)).toMatch(/no route from node#0 to node#2/);
  });

  it('a node without a link, or no path, is an error, not a 1 s migration', () => {
    const net = readNetwork({ id: 'net', switches: [{ id: 0, capacity: -1 }, { id: 1, capacity: -1 }], links: [link(0, 10, 0, node(0)), link(1, 10, 1, node(1))], routing: { type: 'default' } });
    expect(net.route(0, 5)).toMatch(/node#5 has no link/);
    expect(net.route(0, 1)).toMatch(/no path from node#0 to node#1/);
  });
});

describe("CNetwork's migration duration", () => {
  const idle = { hotDirtySize: 5.0, hotDirtyDuration: 2.0, coldDirtyRate: 0.0 };

  it('issue 93: 204 MiB over 1000 Mbit/s takes 2 s', () => {
    // bw = 1000/9 = 111.11 MiB/s; dmin = 204/111.11 = 1.836 <= 2 (hot-dirty period):
    // d = 1.836 + (5/2 × 1.836) / (111.11 − 2.5) = 1.836 + 0.042 = 1.878 → 2
    expect(networkDurationSeconds(1000, { memUsed: 204, ...idle })).toBe(2);
  });

  it("CNetworkTest#defaultTest: 6000 MiB, hot 46 MiB / 2 s, cold 23.6 MiB/s over 1000 Mbit/s takes 69 s", () => {
    // dmin = 6000/111.11 = 54.0 > 2; cold = (46 + 52 × 23.6) / (111.11 − 23.6) = 14.549;
    // hot = 46/111.11 × (23 / (111.11 − 23)) = 0.108; d = 68.66 → 69
    expect(networkDurationSeconds(1000, { memUsed: 6000, hotDirtySize: 46, hotDirtyDuration: 2, coldDirtyRate: 23.6 })).toBe(69);
  });

  it('8000 MiB over 100 Mbit/s takes 721 s; tiny memory still takes 1 s', () => {
    // bw = 11.11; dmin = 720; cold = 5/11.11 = 0.45; hot = 0.45 × 2.5/(11.11 − 2.5) = 0.131 → 720.58
    expect(networkDurationSeconds(100, { memUsed: 8000, ...idle })).toBe(721);
    expect(networkDurationSeconds(1000, { memUsed: 1, ...idle })).toBe(1);
    expect(networkDurationSeconds(0, { memUsed: 1, ...idle })).toBeUndefined();
  });

  it('the default duration model uses it, and it depends on the destination', () => {
    const m = modelWith(TWO_SWITCHES, [0, 1, 2, 3], { 0: 8000 });
    const d = DurationModel.defaults();
    // to N1: 1000 Mbit/s: dmin = 72; cold = 0.045; hot = 0.045 × 2.5/108.61 = 0.001 → 72.05 → 72
    expect(d.migrationDuration(0, 0, 1, m)).toBe(72);
    // to N2: 500 Mbit/s: bw = 55.56, dmin = 144; cold = 0.09; hot = 0.09 × 2.5/53.06 = 0.004 → 144.09 → 144
    expect(d.migrationDuration(0, 0, 2, m)).toBe(144);
    // the `migrate` attribute does not apply with a net view (BtrPlace ignores it too)...
    m.attributes.put('vm', 0, 'migrate', 5);
    expect(d.migrationDuration(0, 0, 1, m)).toBe(72);
    // ...but still applies when the destination is not known (callers evaluating per VM)
    expect(d.duration('migrateVM', 0, m)).toBe(5);
  });

  it('memUsed is mandatory with a net view: the error names the VM', () => {
    const m = modelWith(TWO_SWITCHES, [0, 1, 2, 3]);
    const r = DurationModel.defaults().tryDuration('migrateVM', 0, m, { src: 0, dst: 1 });
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/vm#0 has no 'memUsed' attribute/) as unknown as string });
  });

  it('optional attributes must be numbers; a malformed view is reported with its path', () => {
    const m = modelWith(TWO_SWITCHES, [0, 1, 2, 3], { 0: 100 });
    m.attributes.put('vm', 0, 'hotDirtySize', 'lots');
    expect(() => DurationModel.defaults().migrationDuration(0, 0, 1, m)).toThrow(/attribute 'hotDirtySize' must be a number/);
    const bad = modelWith({ id: 'net', switches: [], links: [], routing: { type: 'nope' } }, [0, 1], { 0: 100 });
    expect(() => DurationModel.defaults().migrationDuration(0, 0, 1, bad)).toThrow(`${NET_VIEW_PATH}.routing.type`);
  });

  it('without a net view nothing changes: the migrate attribute, else 1 s', () => {
    const m = new Model();
    m.mapping.addOnlineNode(0).addOnlineNode(1);
    m.mapping.addRunningVM(0, 0);
    expect(DurationModel.defaults().migrationDuration(0, 0, 1, m)).toBe(1);
    m.attributes.put('vm', 0, 'migrate', 7);
    expect(DurationModel.defaults().migrationDuration(0, 0, 1, m)).toBe(7);
  });
});
