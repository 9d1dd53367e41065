/** Constraint sets: JSON form, a hash of the meaning (not the layout), verified on load. */
import { describe, expect, it } from 'vitest';

import { constraintSetFromJson, constraintSetHash, constraintSetToJson, createConstraintSet, recheckConstraintSet } from '../../src/dsl/constraint-set.js';
import { formatScript } from '../../src/dsl/format.js';
import { canonicalJson, sha256Hex } from '../../src/dsl/hash.js';
import { namedModel, range } from './support.js';

const model = namedModel({ vms: range('VM', 1, 6), nodes: range('N', 1, 4), resources: ['cpu', 'mem'] });
const script = "// the seed\nspread(VM[2..3]);\npreserve({VM1},'cpu', 3);   offline(@N4);";

describe('sha256Hex and canonicalJson', () => {
  it('match the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    // UTF-8 with a surrogate pair (value from node:crypto)
    expect(sha256Hex('é€😀')).toBe('df9226927fd572c1ee66eec85de1bb139497614899f36e4e90474cb71f6ef9d0');
  });

  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: 'x' }] })).toBe('{"a":[{"d":2,"e":"x"}],"b":1}');
  });
});

describe('constraint sets', () => {
  const created = createConstraintSet({ name: 'seed', inventory: 'instances/seed.json', script }, { model });
  if (!created.ok) throw new Error('the seed script must build');
  const set = created.set;

  it('saves name, inventory, script, BtrPlace JSON constraints and a hash', () => {
    const json = constraintSetToJson(set);
    expect(json.name).toBe('seed');
    expect(json.inventory).toBe('instances/seed.json');
    expect(json.script).toBe(script);
    expect(json.constraints).toEqual([
      { id: 'spread', vms: [1, 2], continuous: true },
      { id: 'preserve', vm: 0, rc: 'cpu', amount: 3 },
      { id: 'offline', node: 3 },
    ]);
    expect(json.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(json.hash).toBe(`sha256:${sha256Hex(canonicalJson(json.constraints))}`);
  });

  it('keeps its hash when the script is reformatted or its comments change, not when a constraint changes', () => {
    const reformatted = createConstraintSet({ name: 'seed', inventory: 'x', script: `${formatScript(script)}// another comment\n` }, { model });
    expect(reformatted.ok && reformatted.set.hash).toBe(set.hash);
    const changed = createConstraintSet({ name: 'seed', inventory: 'x', script: script.replace("'cpu', 3", "'cpu', 4") }, { model });
    expect(changed.ok && changed.set.hash).not.toBe(set.hash);
    const discrete = createConstraintSet({ name: 'seed', inventory: 'x', script: script.replace('spread', '>>spread') }, { model });
    expect(discrete.ok && discrete.set.hash).not.toBe(set.hash);
  });

  it('round-trips through JSON text and verifies the hash on load', () => {
    const text = JSON.stringify(constraintSetToJson(set));
    const loaded = constraintSetFromJson(JSON.parse(text));
    expect(loaded).toEqual({ ok: true, value: set });
  });

  it('refuses a tampered or malformed file, with the JSON path', () => {
    const json = constraintSetToJson(set) as unknown as Record<string, unknown>;
    const tampered = { ...json, constraints: [{ id: 'spread', vms: [1, 3], continuous: true }, ...(json['constraints'] as unknown[]).slice(1)] };
    const r = constraintSetFromJson(tampered);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.path).toBe('$.hash');
      expect(r.error.message).toMatch(/do not match the hash/);
    }
    expect(constraintSetFromJson({ ...json, constraints: [{ id: 'nope' }] })).toMatchObject({ ok: false, error: { path: '$.constraints[0].id' } });
    expect(constraintSetFromJson({ ...json, name: 3 })).toMatchObject({ ok: false, error: { path: '$.name', message: 'expected a string, found number 3' } });
    expect(constraintSetFromJson('nope')).toMatchObject({ ok: false, error: { path: '$' } });
  });

  it('does not save a script with errors', () => {
    const bad = createConstraintSet({ name: 'bad', inventory: 'x', script: 'spread(VM9);' }, { model });
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.map((d) => d.message)).toEqual(["unknown VM 'VM9'; did you mean VM1?"]);
  });

  it('rechecks a saved script against a model: same constraints or not', () => {
    expect(recheckConstraintSet(set, { model }).same).toBe(true);
    const renamed = namedModel({ vms: ['VM2', 'VM1', 'VM3', 'VM4', 'VM5', 'VM6'], nodes: range('N', 1, 4), resources: ['cpu'] });
    const again = recheckConstraintSet(set, { model: renamed });
    expect(again.same).toBe(false);
    expect(again.hash).not.toBe(set.hash);
    expect(constraintSetHash([])).toBe(`sha256:${sha256Hex('[]')}`);
  });
});
