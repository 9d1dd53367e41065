import { describe, expect, it } from 'vitest';

import type { Modes } from '../../src/catalogue/definition.js';
import { CATALOGUE, definitionOf } from '../../src/catalogue/registry.js';
import { build } from './support.js';
import { SAMPLES } from './samples.js';

/** BtrPlace's JSON ids (`*Converter.getJSONId`), the 27 of btrplace-semantics.md §2. */
const BTRPLACE_IDS = [
  'among',
  'ban',
  'fence',
  'gather',
  'lonely',
  'spread',
  'split',
  'splitAmong',
  'quarantine',
  'root',
  'online',
  'offline',
  'maxOnline',
  'running',
  'ready',
  'sleeping',
  'killed',
  'seq',
  'preserve',
  'overbook',
  'resourceCapacity',
  'runningCapacity',
  'noDelay',
  'Deadline',
  'Precedence',
  'Serialize',
  'Sync',
];

/** Ferry's own constraints (README's worked example: one folder, one registry line). */
const FERRY_IDS = ['maxMigrations'];

const D = { discrete: true, continuous: false, defaultContinuous: false };
const C = { discrete: false, continuous: true, defaultContinuous: true };
const DC_D = { discrete: true, continuous: true, defaultContinuous: false };
const DC_C = { discrete: true, continuous: true, defaultContinuous: true };

/** Modes from the §2 table and the Java classes' isContinuous/setContinuous. */
const EXPECTED_MODES: Record<string, Modes> = {
  among: DC_D,
  ban: DC_D,
  fence: DC_D,
  gather: DC_D,
  lonely: DC_D,
  spread: DC_C,
  split: DC_D,
  splitAmong: DC_D,
  quarantine: C,
  root: C,
  online: D,
  offline: D,
  maxOnline: DC_D,
  running: D,
  ready: D,
  sleeping: D,
  killed: D,
  seq: C,
  preserve: D,
  overbook: DC_C,
  resourceCapacity: DC_D,
  runningCapacity: D,
  noDelay: D,
  // btrpsl refuses `>>` on them (setContinuous(false) returns false): they constrain the schedule
  Deadline: C,
  Precedence: C,
  Serialize: C,
  Sync: C,
  maxMigrations: C,
};

/** btrpsl names (DefaultConstraintsCatalog), `before` shared by Deadline and Precedence. */
const SCRIPT_NAMES: Record<string, string> = {
  ...Object.fromEntries(BTRPLACE_IDS.map((id) => [id, id])),
  Deadline: 'before',
  Precedence: 'before',
  Serialize: 'serialize',
  Sync: 'sync',
  maxMigrations: 'maxMigrations',
};

const FACE_PARTS = ['placement', 'schedule', 'bounds'] as const;

describe('catalogue registry', () => {
  it("holds exactly the 27 BtrPlace constraints and Ferry's own, ids unique", () => {
    const ids = CATALOGUE.map((d) => d.id);
    expect(ids).toHaveLength(27 + FERRY_IDS.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...BTRPLACE_IDS, ...FERRY_IDS].sort());
    for (const id of BTRPLACE_IDS) expect(definitionOf(id)?.id).toBe(id);
  });

  describe.each(CATALOGUE.map((d) => [d.id, d] as const))('%s', (id, def) => {
    it('has a doc paragraph', () => {
      expect(typeof def.doc).toBe('string');
      expect(def.doc.length).toBeGreaterThan(30);
    });

    it("has BtrPlace's modes, with a supported default", () => {
      expect(def.modes).toEqual(EXPECTED_MODES[id]);
      expect(def.modes.defaultContinuous ? def.modes.continuous : def.modes.discrete).toBe(true);
    });

    it('has samples, accepted by its schema', () => {
      const samples = SAMPLES[id] ?? [];
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) expect(def.schema.safeParse(s.constraint.args).success).toBe(true);
      expect(def.schema.safeParse({}).success).toBe(false);
    });

    it('has a checker giving a fresh check with endsWith', () => {
      const sample = SAMPLES[id]?.[0];
      if (!sample) throw new Error('no sample');
      const a = def.check(sample.constraint);
      const b = def.check(sample.constraint);
      expect(a).not.toBe(b);
      expect(typeof a.endsWith).toBe('function');
      // an empty cluster and an empty plan: the hooks run without throwing
      const model = build().on(0).model;
      a.startsWith?.(model);
      a.endsWith(model);
    });

    it('has a script form (name, params, build, format)', () => {
      expect(def.script.name).toBe(SCRIPT_NAMES[id]);
      expect(def.script.params.length).toBeGreaterThan(0);
      for (const p of def.script.params) {
        expect(p.name.length).toBeGreaterThan(0);
        expect(p.doc.length).toBeGreaterThan(0);
      }
      expect(typeof def.script.build).toBe('function');
      expect(typeof def.script.format).toBe('function');
    });

    it('has a solver encoding', () => {
      expect(typeof def.encoder.encode).toBe('function');
      if (def.encoder.core !== undefined) expect(typeof def.encoder.core).toBe('function');
    });

    it.each(FACE_PARTS)('has a %s face for the heuristic planner, stated even when none', (part) => {
      const face: object | undefined = (def.faces as Partial<Record<(typeof FACE_PARTS)[number], object>> | undefined)?.[part];
      if (face === undefined) expect.fail(`${id} has no ${part} face (src/catalogue/<folder>/faces.ts, passed to defineConstraint)`);
      if ('none' in face) {
        expect((face as { none: unknown }).none, `${id}: a 'none' ${part} face says why`).toEqual(expect.stringMatching(/\w{3,}/));
        return;
      }
      const { summary, ...hooks } = face as { summary?: unknown } & Record<string, unknown>;
      expect(summary, `${id}: its ${part} face says what it does`).toEqual(expect.stringMatching(/\w{3,}/));
      const fns = Object.entries(hooks).filter(([, v]) => typeof v === 'function');
      const flags = Object.entries(hooks).filter(([, v]) => typeof v === 'boolean');
      expect(fns.length + flags.length, `${id}: a ${part} face with no hook is a 'none' face`).toBeGreaterThan(0);
      expect(fns.length + flags.length).toBe(Object.keys(hooks).length);
    });

    it('reads its samples with its typed reader, and refuses missing arguments naming the field', () => {
      for (const s of SAMPLES[id] ?? []) expect(def.readArgs(s.constraint.args)).toEqual({ args: s.constraint.args });
      const refused = def.readArgs({});
      expect('problem' in refused && def.script.params.length > 0 ? refused.problem.field : undefined).toEqual(expect.any(String));
    });

    it('has a JSON form (read, write) and involved()', () => {
      expect(typeof def.json.read).toBe('function');
      expect(typeof def.json.write).toBe('function');
      const sample = SAMPLES[id]?.[0];
      if (!sample) throw new Error('no sample');
      const inv = def.involved(sample.constraint);
      expect(inv.vms.length + inv.nodes.length).toBeGreaterThan(0);
    });
  });

  it('tells the two `before` forms apart by their second parameter', () => {
    const deadline = definitionOf('Deadline');
    const precedence = definitionOf('Precedence');
    expect(deadline?.script.params.map((p) => p.kind)).toEqual(['vm', 'timestamp']);
    expect(precedence?.script.params.map((p) => p.kind)).toEqual(['vms', 'vms']);
  });

  it('reports the VMs and nodes a constraint mentions', () => {
    expect(definitionOf('among')?.involved({ id: 'among', continuous: false, args: { vms: [1, 2], parts: [[0, 1], [2]] } })).toEqual({ vms: [1, 2], nodes: [0, 1, 2] });
    expect(definitionOf('Precedence')?.involved({ id: 'Precedence', continuous: true, args: { vm1: 3, vm2: 4 } })).toEqual({ vms: [3, 4], nodes: [] });
    expect(definitionOf('resourceCapacity')?.involved({ id: 'resourceCapacity', continuous: false, args: { nodes: [5], rc: 'cpu', amount: 1 } })).toEqual({
      vms: [],
      nodes: [5],
    });
  });
});
