import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { instanceFromJson, modelFromJson, parseInstanceText } from '../../src/instance/json.js';
import { type JsonError, formatJsonError, parseJsonText } from '../../src/json/read.js';

const SEED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'instances', 'seed.json'), 'utf8');

function errorOf(result: { ok: true } | { ok: false; error: JsonError }): JsonError {
  if (result.ok) throw new Error('expected an error, got a value');
  return result.error;
}

/** The seed instance, changed by `edit` (which receives the parsed JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the edits poke at arbitrary JSON on purpose
function seedWith(edit: (json: any) => void): unknown {
  const json = JSON.parse(SEED);
  edit(json);
  return json;
}

describe('JSON syntax errors give line and column', () => {
  it('a truncated document: at the end, saying it is truncated', () => {
    const text = SEED.slice(0, SEED.indexOf('"views"'));
    const error = errorOf(parseInstanceText(text));
    const lines = text.split('\n');
    expect(error).toMatchObject({ path: '$', line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 });
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.message).toMatch(/truncated/);
  });

  it('a missing comma, on its line and column', () => {
    const error = errorOf(parseJsonText('{\n  "a": 1\n  "b": 2\n}'));
    expect(error).toMatchObject({ path: '$', line: 3, column: 3 });
    expect(error.message).toBe("unexpected '\"', expected ',' or '}' after a property value");
    expect(formatJsonError(error)).toBe(`3:3: ${error.message}`);
  });

  it('a trailing comma', () => {
    const error = errorOf(parseJsonText('[1, 2,\n]'));
    expect(error).toMatchObject({ line: 2, column: 1 });
    expect(error.message).toMatch(/trailing comma/);
  });

  it('an unterminated string, located at its opening quote', () => {
    const error = errorOf(parseJsonText('{"model": "abc'));
    expect(error).toMatchObject({ line: 1, column: 11 });
    expect(error.message).toMatch(/unterminated string/);
  });

  it('a raw control character, a bad escape, a bad literal, leading zeros, extra text', () => {
    expect(errorOf(parseJsonText('["a\tb"]'))).toMatchObject({ line: 1, column: 4 });
    expect(errorOf(parseJsonText('["a\\qb"]')).message).toMatch(/invalid escape '\\q'/);
    expect(errorOf(parseJsonText('[tru]')).message).toBe("invalid literal: expected 'true'");
    expect(errorOf(parseJsonText('[01]')).message).toMatch(/leading zeros/);
    expect(errorOf(parseJsonText('{} {}'))).toMatchObject({ line: 1, column: 4, message: "unexpected '{' after the end of the JSON document" });
    expect(errorOf(parseJsonText('\u0001'))).toMatchObject({ line: 1, column: 1 });
    expect(errorOf(parseJsonText('')).message).toMatch(/unexpected end of input/);
  });

  it('does not count a byte order mark as a column', () => {
    expect(errorOf(parseJsonText('\uFEFF{x'))).toMatchObject({ line: 1, column: 2 });
  });
});

describe('structure errors give the JSON path and the reason', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [], '$', /expected an object, found an array/],
    ['no model', { constraints: [], objective: { id: 'minimizeMTTR' } }, '$.model', /required field is missing/],
    ['no constraints', seedWith((j) => delete j.constraints), '$.constraints', /required field is missing/],
    ['no objective', seedWith((j) => delete j.objective), '$.objective', /required field is missing/],
    ['no views', seedWith((j) => delete j.model.views), '$.model.views', /required field is missing/],
    ['no readyVMs', seedWith((j) => delete j.model.mapping.readyVMs), '$.model.mapping.readyVMs', /required field is missing/],
    ['no sleepingVMs', seedWith((j) => delete j.model.mapping.onlineNodes['2'].sleepingVMs), '$.model.mapping.onlineNodes["2"].sleepingVMs', /required field is missing/],
    ['a string VM id', seedWith((j) => (j.model.mapping.onlineNodes['1'].runningVMs = ['4'])), '$.model.mapping.onlineNodes["1"].runningVMs[0]', /expected a VM id .*found the string "4"/],
    ['a fractional VM id', seedWith((j) => (j.model.mapping.readyVMs = [1.5])), '$.model.mapping.readyVMs[0]', /expected a VM id/],
    ['a negative node id', seedWith((j) => (j.model.mapping.offlineNodes = [-1])), '$.model.mapping.offlineNodes[0]', /expected a node id/],
    ['an id beyond a Java int', seedWith((j) => (j.model.mapping.readyVMs = [2 ** 31])), '$.model.mapping.readyVMs[0]', /from 0 to 2147483647/],
    ['a non-id node key', seedWith((j) => (j.model.mapping.onlineNodes['N5'] = { runningVMs: [], sleepingVMs: [] })), '$.model.mapping.onlineNodes.N5', /expected a node id .*as key, found "N5"/],
    ['a non-canonical node key', seedWith((j) => (j.model.mapping.onlineNodes['07'] = { runningVMs: [], sleepingVMs: [] })), '$.model.mapping.onlineNodes["07"]', /as key, found "07"/],
    [
      'a VM running on an offline node',
      seedWith((j) => j.model.mapping.offlineNodes.push(3)),
      '$.model.mapping.onlineNodes["3"]',
      /node#3 is also listed in offlineNodes: a node is online or offline, and an offline node hosts no VM/,
    ],
    ['a node twice offline', seedWith((j) => (j.model.mapping.offlineNodes = [7, 7])), '$.model.mapping.offlineNodes[1]', /node#7 is listed twice in offlineNodes/],
    ['a VM twice in the mapping', seedWith((j) => j.model.mapping.onlineNodes['2'].runningVMs.push(0)), '$.model.mapping.onlineNodes["2"].runningVMs[1]', /vm#0 is already in the mapping \(running on node#0\)/],
    ['a VM ready and sleeping', seedWith((j) => ((j.model.mapping.readyVMs = [9]), (j.model.mapping.onlineNodes['0'].sleepingVMs = [9]))), '$.model.mapping.onlineNodes["0"].sleepingVMs[0]', /vm#9 is already in the mapping \(ready\)/],
    ['an array attribute', seedWith((j) => (j.model.attributes.vms = { '0': { tags: ['a'] } })), '$.model.attributes.vms["0"].tags', /boolean, a number or a string, found an array/],
    ['a null attribute', seedWith((j) => (j.model.attributes.nodes = { '1': { boot: null } })), '$.model.attributes.nodes["1"].boot', /found null/],
    ['a non-object attribute entry', seedWith((j) => (j.model.attributes.vms = { '0': 3 })), '$.model.attributes.vms["0"]', /expected an object, found number 3/],
    ['a negative capacity', seedWith((j) => (j.model.views[0].nodes = { '2': -4 })), '$.model.views[0].nodes["2"]', /the 'cpu' capacity of node#2 must be >= 0, found -4/],
    ['a negative default consumption', seedWith((j) => (j.model.views[1].defConsumption = -1)), '$.model.views[1].defConsumption', /default 'mem' consumption must be >= 0/],
    ['a fractional consumption', seedWith((j) => (j.model.views[0].vms['0'] = 1.5)), '$.model.views[0].vms["0"]', /consumption of vm#0 is an integer, found 1.5/],
    ['a string default capacity', seedWith((j) => (j.model.views[0].defCapacity = '8')), '$.model.views[0].defCapacity', /is an integer, found the string "8"/],
    ['a resource view without vms', seedWith((j) => delete j.model.views[0].vms), '$.model.views[0].vms', /required field is missing/],
    ['a resource declared twice', seedWith((j) => (j.model.views[1].rcId = 'cpu')), '$.model.views[1].rcId', /a second view for resource 'cpu'/],
    ['a view without id', seedWith((j) => delete j.model.views[2].id), '$.model.views[2].id', /required field is missing/],
    ['a naming view of another type', seedWith((j) => (j.model.views[2].type = 'switch')), '$.model.views[2].type', /"vm" or "node", found the string "switch"/],
    ['one node with two names', seedWith((j) => (j.model.views[2].map.N5 = 0)), '$.model.views[2].map.N5', /node#0 is already named 'N1'/],
    ['two naming views for VMs', seedWith((j) => j.model.views.push({ id: 'ns', type: 'vm', map: {} })), '$.model.views[4]', /a second naming view for VMs/],
    ['a naming id that is not an id', seedWith((j) => (j.model.views[3].map.VM1 = 'one')), '$.model.views[3].map.VM1', /expected a VM id/],
    ['an opaque view with a non-JSON value', seedWith((j) => j.model.views.push({ id: 'vendorView', x: Infinity })), '$.model.views[4].x', /finite number/],
    ['a net view whose link names an undeclared switch', seedWith((j) => j.model.views.push({ id: 'net', routing: { type: 'default' }, switches: [{ id: 0, capacity: -1 }], links: [{ id: 0, capacity: 1000, switch: 7, physicalElement: { id: 0, type: 'node' } }] })), '$.model.views[4].links[0].switch', /switch 7 is not declared/],
    ['an unknown constraint', seedWith((j) => (j.constraints = [{ id: 'maxEnergy', vms: [0] }])), '$.constraints[0].id', /unknown constraint 'maxEnergy'/],
    ['a constraint without id', seedWith((j) => (j.constraints = [{ vms: [0] }])), '$.constraints[0].id', /id/],
    ['a constraint that is not an object', seedWith((j) => (j.constraints = [3])), '$.constraints[0]', /object/],
    ['an unknown objective', seedWith((j) => (j.objective = { id: 'minimizeEnergy' })), '$.objective.id', /unknown objective the string "minimizeEnergy" \(known: minimizeMTTR, minimizeMigrations, minimizeMTTRMigrationScheduling\)/],
    ['an objective without id', seedWith((j) => (j.objective = {})), '$.objective.id', /required field is missing/],
  ];

  for (const [what, raw, path, reason] of cases) {
    it(what, () => {
      const error = errorOf(instanceFromJson(raw));
      expect(error.path).toBe(path);
      expect(error.message).toMatch(reason);
      expect(error.line).toBeUndefined();
    });
  }

  it('reports structure errors from text with the path, not a position', () => {
    const error = errorOf(parseInstanceText(JSON.stringify(seedWith((j) => (j.model.views[0].nodes = { '2': -4 })))));
    expect(formatJsonError(error)).toBe("$.model.views[0].nodes[\"2\"]: the 'cpu' capacity of node#2 must be >= 0, found -4");
  });

  it('locates a model embedded elsewhere from the given path', () => {
    const error = errorOf(modelFromJson({ mapping: { offlineNodes: [], readyVMs: [true], onlineNodes: {} }, attributes: {}, views: [] }, '$.origin'));
    expect(error.path).toBe('$.origin.mapping.readyVMs[0]');
  });
});

describe('constraints must mention elements of the model', () => {
  it('refuses a constraint over an undeclared VM', () => {
    const error = errorOf(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'spread', vms: [1, 42], continuous: true }]))));
    expect(error).toEqual({ path: '$.constraints[0]', message: 'vm#42 is not declared in the model' });
  });

  it('refuses a constraint over an undeclared node', () => {
    const error = errorOf(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'ban', vm: 0, nodes: [9], continuous: false }]))));
    expect(error).toEqual({ path: '$.constraints[0]', message: 'node#9 is not declared in the model' });
  });

  it('accepts a constraint over an INIT VM the model knows through its attributes', () => {
    const result = instanceFromJson(
      seedWith((j) => {
        j.model.attributes.vms = { '42': { template: 'tiny' } };
        j.constraints = [{ id: 'ready', vm: 42 }];
      }),
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.model.vmState(42)).toBe('init');
      expect(result.value.constraints[0]).toMatchObject({ id: 'ready', args: { vm: 42 } });
    }
  });

  it('checks elements of constraints whose arguments are not named after their script parameters', () => {
    const error = errorOf(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'Precedence', vm1: 0, vm2: 77 }]))));
    expect(error).toEqual({ path: '$.constraints[0]', message: 'vm#77 is not declared in the model' });
  });

  it('reports a wrongly typed constraint field at its path', () => {
    const error = errorOf(instanceFromJson(seedWith((j) => (j.constraints = [{ id: 'spread', vms: [0, 'x'], continuous: true }]))));
    expect(error.path).toBe('$.constraints[0].vms[1]');
  });
});
