import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { formatFileError, readInstanceFile, readJsonText } from '../../main/node/instance-file.js';
import { instanceToJson, modelToJson, parseInstanceText } from '../../src/instance/json.js';
import { BENCH_DIR, benchFiles } from '../bench/load-instances.js';

/** JSON text with object keys sorted, so two values compare whatever their key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

/** BtrPlace writes views in hash order: compare them as a set. */
function sortedViews(model: Record<string, unknown>): Record<string, unknown> {
  const views = (model['views'] as Record<string, unknown>[]).map(canonical).sort();
  return { ...model, views };
}

describe.skipIf(!existsSync(BENCH_DIR))('round trips over the BtrPlace TDSC benchmark instances', () => {
  it.each(benchFiles().map((f) => [f.slice(BENCH_DIR.length + 1), f]))('%s', async (_name, file) => {
    const read = await readInstanceFile(file);
    if (!read.ok) throw new Error(formatFileError(read.error));
    const instance = read.value;

    // the model written back is the model read, up to key and view order
    const text = await readJsonText(file);
    if (!text.ok) throw new Error(text.error.message);
    const original = JSON.parse(text.value) as { model: Record<string, unknown>; constraints: unknown[]; objective: unknown };
    expect(canonical(sortedViews(modelToJson(instance.model)))).toBe(canonical(sortedViews(original.model)));
    expect(instance.constraints).toHaveLength(original.constraints.length);
    expect(instance.objective).toEqual(original.objective);

    // import → export → import: equal model, equal constraint list
    const exported = JSON.stringify(instanceToJson(instance));
    const again = parseInstanceText(exported);
    if (!again.ok) throw new Error(`${again.error.path}: ${again.error.message}`);
    expect(again.value.model.equals(instance.model)).toBe(true);
    expect(JSON.stringify(again.value.constraints)).toBe(JSON.stringify(instance.constraints));
    expect(again.value.objective).toEqual(instance.objective);
  });
});
