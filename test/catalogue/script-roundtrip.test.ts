import { describe, expect, it } from 'vitest';

import { CATALOGUE } from '../../src/catalogue/registry.js';
import { parseScript } from '../../src/dsl/script.js';
import { build, rc } from './support.js';
import { NAMES, SAMPLES } from './samples.js';

/** The model the samples' scripts are read against: VM<i> and N<i> named, resources defined. */
function model(): ReturnType<typeof build>['model'] {
  const b = build().on(0, 1, 2, 3, 4);
  for (const id of ['cpu', 'mem']) b.resource(rc(id, 10, 1));
  return b.model;
}

describe.each(CATALOGUE.map((d) => [d.id, d] as const))('%s: format, then the btrpsl reader, gives the constraint back', (id, def) => {
  it('round-trips every sample through script text', () => {
    for (const s of SAMPLES[id] ?? []) {
      const text = `namespace test;\n${def.script.format(s.constraint, NAMES)};\n`;
      const r = parseScript(text, { model: model() });
      expect(r.diagnostics, text).toEqual([]);
      expect(r.constraints).toEqual([s.constraint]);
    }
  });
});

describe('btrpsl statements expanding to several constraints', () => {
  it('ban({VM1, VM2}, @N[1..3]) gives one Ban per VM, continuous', () => {
    const r = parseScript('namespace test;\nban({VM1, VM2}, @N[1..3]);\n', { model: model() });
    expect(r.constraints).toEqual([
      { id: 'ban', continuous: true, args: { vm: 1, nodes: [1, 2, 3] } },
      { id: 'ban', continuous: true, args: { vm: 2, nodes: [1, 2, 3] } },
    ]);
  });

  it('>>root(VM1) is refused: root is always continuous', () => {
    const r = parseScript('namespace test;\n>>root(VM1);\n', { model: model() });
    expect(r.ok).toBe(false);
    expect(r.constraints).toEqual([]);
  });

  it('maxOnline({@N2}, -2) is refused with a message about the amount', () => {
    const r = parseScript('namespace test;\nmaxOnline({@N2}, -2);\n', { model: model() });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(/non-negative/);
  });
});
