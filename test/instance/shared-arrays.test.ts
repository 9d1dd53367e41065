import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { readInstanceFile } from '../../main/node/instance-file.js';
import { instanceToJson, parseInstanceJsonText, parseInstanceText } from '../../src/instance/json.js';
import { parseJsonText } from '../../src/json/read.js';

// parseInstanceJsonText parses every large numeric array that recurs verbatim once, whatever its
// member's name or place; the result must be JSON.parse's, copies sharing one parsed array.

const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const groupsA = JSON.stringify([ids(0, 200), ids(200, 200)]);
const groupsB = JSON.stringify([ids(400, 150), ids(550, 150), ids(700, 100)]);
const flat = JSON.stringify(ids(1000, 400));

/** A document with copies of the long arrays under several keys and at several depths. */
function document(options: { name?: string; space?: string } = {}): string {
  const s = options.space ?? '';
  const views = [`{"id":"x-groups","groups":${groupsA},"other":{"deep":{"groups":${groupsB}}}}`, `{"id":"x-more","a":${groupsB},"b":${flat}}`];
  const constraints = [`{"id":"among","vms":[1],"parts":${groupsA}}`, `{"id":"spread","nodes":${flat}}`, `{"id":"among","vms":[2],"parts":${groupsA}}`];
  return `{"name":${JSON.stringify(options.name ?? 'plain')},"views":[${views.join(`,${s}`)}],${s}"constraints":[${constraints.join(',')}]}`;
}

describe('repeated large arrays parsed once (parseInstanceJsonText)', () => {
  it('gives JSON.parse\'s value for copies under any key and depth', () => {
    const text = document();
    const fast = parseInstanceJsonText(text);
    expect(fast.ok).toBe(true);
    if (!fast.ok) return;
    expect(fast.value).toEqual(JSON.parse(text));
  });

  it('gives every copy of one array the same parsed value', () => {
    const fast = parseInstanceJsonText(document());
    if (!fast.ok) throw new Error(fast.error.message);
    const v = fast.value as { views: Record<string, unknown>[]; constraints: Record<string, unknown>[] };
    expect(v.constraints[0]?.['parts']).toBe(v.constraints[2]?.['parts']);
    expect(v.constraints[0]?.['parts']).toBe(v.views[0]?.['groups']);
    expect(v.views[1]?.['b']).toBe(v.constraints[1]?.['nodes']);
    expect(v.views[1]?.['a']).toBe((v.views[0]?.['other'] as { deep: { groups: unknown } }).deep.groups);
  });

  it('falls back to the plain parse when a copy sits inside a string', () => {
    const text = document({ name: `x":${groupsA}` });
    expect(text.includes(`\\":${groupsA}`)).toBe(true);
    const fast = parseInstanceJsonText(text);
    expect(fast.ok && fast.value).toEqual(JSON.parse(text));
  });

  it('falls back when a name already spells the placeholder escape', () => {
    const text = document({ name: '\u0001' + '0' });
    expect(text.includes('\\u0001')).toBe(true);
    const fast = parseInstanceJsonText(text);
    expect(fast.ok && fast.value).toEqual(JSON.parse(text));
  });

  it('keeps a __proto__ member an own member, as JSON.parse does', () => {
    const text = `{"a":{"__proto__":${groupsA}},"b":{"__proto__":${groupsA}}}`;
    const fast = parseInstanceJsonText(text);
    expect(fast.ok).toBe(true);
    if (!fast.ok) return;
    const a = (fast.value as { a: object }).a;
    expect(Object.getOwnPropertyNames(a)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
  });

  it('reads pretty-printed arrays (whitespace inside) and numbers with signs and exponents', () => {
    const pretty = JSON.stringify([ids(0, 300).map((i) => (i % 7 === 0 ? -i : i * 1e-3))], null, 1);
    const text = `{"a":${pretty},"b":${pretty},"c":[1,2]}`;
    const fast = parseInstanceJsonText(text);
    expect(fast.ok && fast.value).toEqual(JSON.parse(text));
  });

  it('reports a syntax error where the plain parser does', () => {
    for (const broken of [`${document()}x`, document().replace('"spread"', '"spread",,'), document().replace(groupsB, `${groupsB.slice(0, -1)}}`)]) {
      const plain = parseJsonText(broken);
      expect(plain.ok).toBe(false);
      expect(parseInstanceJsonText(broken)).toEqual(plain);
    }
  });
});

describe('readInstanceFile: a repeated array under any member name, found in the bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-shared-arrays-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const nodes = 800;
  const partition = JSON.stringify([ids(0, nodes / 2), ids(nodes / 2, nodes / 2)]);
  const online = Array.from({ length: nodes }, (_, n) => `"${n}":{"runningVMs":[${n < 2 ? n : ''}],"sleepingVMs":[]}`).join(',');
  // the shared value first appears in an opaque view, not in a constraint's `parts`
  const source = `{"model":{"mapping":{"offlineNodes":[],"readyVMs":[],"onlineNodes":{${online}}},"attributes":{"nodes":{},"vms":{}},"views":[{"id":"x-racks","racks":${partition}}]},"constraints":[{"id":"among","vms":[0],"parts":${partition},"continuous":false},{"id":"among","vms":[1],"parts":${partition},"continuous":false}],"objective":{"id":"minimizeMTTR"}}`;

  it('reads what the whole text gives', async () => {
    const file = join(dir, 'racks.json.gz');
    writeFileSync(file, gzipSync(source));
    const read = await readInstanceFile(file);
    const expected = parseInstanceText(source);
    if (!read.ok || !expected.ok) throw new Error('read failed');
    expect(JSON.stringify(instanceToJson(read.value))).toBe(JSON.stringify(instanceToJson(expected.value)));
    expect(read.value.constraints).toEqual(expected.value.constraints);
    expect(read.value.constraints).toHaveLength(2);
  });
});
