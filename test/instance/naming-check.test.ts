/** A naming view that names an element the mapping lacks is refused at load, located (not "no plan exists"). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { CommandIO } from '../../main/cli/command.js';
import { runCli } from '../../main/cli/index.js';
import { formatFileError, readInstanceFile } from '../../main/node/instance-file.js';
import { instanceToJson } from '../../src/instance/json.js';
import { namedModel } from '../dsl/support.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-ns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two nodes, two VMs; `extra` adds a name for an id of that kind the mapping does not have. */
function instanceFile(kind: 'vm' | 'node', name: string, id: number): string {
  const json = instanceToJson({ model: namedModel({ vms: ['VM1', 'VM2'], nodes: ['N1', 'N2'], resources: ['cpu'] }), constraints: [], objective: { id: 'minimizeMTTR' } } as never) as { model: { views: { id: string; type?: string; map?: Record<string, number> }[] } };
  const view = json.model.views.find((v) => v.id === 'ns' && v.type === kind);
  if (!view?.map) throw new Error('no naming view');
  view.map[name] = id;
  const path = join(dir, `${kind}-${id}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('naming views checked at load', () => {
  it('refuses a node name for a node the mapping lacks, with its JSON path', async () => {
    const file = instanceFile('node', 'N5', 7);
    const r = await readInstanceFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.jsonPath).toMatch(/^\$\.model\.views\[\d+\]\.map\.N5$/);
    expect(formatFileError(r.error)).toContain('names node#7, but the mapping has no such node');
  });

  it('refuses a VM name for a VM the mapping lacks; ferry plan exits 1 as for any unreadable instance (2 is infeasible)', async () => {
    const file = instanceFile('vm', 'ghost', 9);
    let err = '';
    const io: CommandIO = { out: () => undefined, err: (t) => void (err += t) };
    expect(await runCli(['plan', file, '--script', writeScript()], io)).toBe(1);
    expect(err).toContain('.map.ghost: names vm#9');
    expect(err).not.toContain('no plan exists');
  });

  it('accepts an instance whose names all name elements', async () => {
    const file = instanceFile('vm', 'VM1', 0);
    expect((await readInstanceFile(file)).ok).toBe(true);
  });
});

function writeScript(): string {
  const path = join(dir, 'ghost.btrp');
  writeFileSync(path, 'root(ghost);\n');
  return path;
}
